/**
 * `npx tsx bench/subgraphFetchCost.ts [requests] [rounds]`: the CPU the router spends on one
 * subgraph request of a caller's operation (ForwardingDataSource over subgraphFetcher: body,
 * headers, signature, http.request over kept-alive connections, the answer read and parsed),
 * measured alone. The subgraph is a bare HTTP server in a child process answering a fixed JSON,
 * so this process's CPU (user + system, from `process.cpuUsage`) is the router's side only.
 * Sends `requests` (20000) requests, 4 at a time, `rounds` (5) times; prints µs per request.
 */
import { spawn } from "node:child_process";
import { GraphQLDataSourceRequestKind } from "@apollo/gateway/dist/datasources/types";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { RouterContext } from "../router/context";
import { ForwardingDataSource } from "../router/forwardingDataSource";
import { subgraphFetcher } from "../router/subgraphFetcher";
import { createLogger } from "../subgraphs/common/logger";
import { measure, runStandalone } from "./standalone";

const requests = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 5);
const concurrency = 4;

/** The subgraph: answers every request with one small GraphQL result, kept alive. */
const subgraphSource = `
const http = require("node:http");
const answer = JSON.stringify({ data: { addToCart: { id: "00000000-0000-4000-8000-000000000001", __typename: "Cart" } } });
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(answer) });
    res.end(answer);
  });
});
server.listen(0, "127.0.0.1", () => process.send(server.address().port));
`;

async function startSubgraph(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ["-e", subgraphSource], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve) => child.once("message", (message) => resolve(Number(message))));
  return { url: `http://127.0.0.1:${port}/graphql`, stop: () => child.kill() };
}

async function main(): Promise<void> {
  const subgraph = await startSubgraph();
  const logger = createLogger("bench", { level: "warn", pretty: false });
  const dataSource = new ForwardingDataSource({
    url: subgraph.url,
    fetcher: subgraphFetcher({
      serviceName: "orders",
      timeoutMs: 10_000,
      retries: 2,
      logger,
      signingSecret: "a".repeat(64),
    }),
  });
  const context: RouterContext = {
    requestId: "00000000-0000-4000-8000-000000000002",
    logger,
    caller: null,
    forwardedHeaders: {
      "x-request-id": "00000000-0000-4000-8000-000000000002",
      authorization: `Bearer ${"t".repeat(400)}`,
      "x-forwarded-for": "127.0.0.1",
    },
  };
  const options = {
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: {
      query: "mutation($id:ID!){addToCart(variantId:$id quantity:1){id __typename}}",
      variables: { id: "00000000-0000-4000-8000-000000000003" },
    },
    context,
    incomingRequestContext: { overallCachePolicy: { restrict: () => undefined } },
  } as unknown as GraphQLDataSourceProcessOptions<RouterContext>;
  const send = async (count: number) => {
    let left = count;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left > 0) {
          left -= 1;
          const response = await dataSource.process(options);
          if (!response.data) throw new Error("no data");
        }
      }),
    );
  };
  try {
    await send(2000);
    for (let round = 1; round <= rounds; round += 1) {
      const { cpuMs, wallMs } = await measure(() => send(requests));
      console.log(
        `round ${round}: ${requests} requests in ${(wallMs / 1000).toFixed(1)} s; router CPU ${((cpuMs * 1000) / requests).toFixed(1)} µs per request`,
      );
    }
  } finally {
    subgraph.stop();
  }
}

runStandalone(main);
