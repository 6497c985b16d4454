import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { connect } from "nats";
import { dropDatabase } from "../../subgraphs/common/database/provision";
import { deleteStreams } from "../../subgraphs/common/events/streams";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { freePort } from "../../scripts/processStack";
import { routerSignature } from "../support/graphqlClient";
import { PrivateNats } from "../support/privateNats";
import { PrivateRedis } from "../support/privateRedis";
import { newTestId } from "../support/testNames";
import { testSettings } from "../support/testSubgraph";
import { waitFor } from "../support/waitFor";

interface ServiceProcess {
  child: ChildProcess;
  url: string;
  output: string[];
  exited: Promise<number | null>;
}

/** Starts the products subgraph as its own process, as a container would, collecting its JSON log lines. */
async function startProducts(testId: string, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "subgraphs/products/main.ts"], {
    cwd: projectRoot,
    env: { ...testSettings(testId), LOG_LEVEL: "info", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output, exited };
}

const ready = async (service: ServiceProcess) => {
  try {
    const response = await fetch(`${service.url}/health/ready`);
    return {
      status: response.status,
      body: (await response.json()) as { checks: Record<string, { ok: boolean; error?: string }> },
    };
  } catch {
    return { status: 0, body: { checks: {} } };
  }
};

/**
 * How a request ended: its status, or the code of the error that ended it. ECONNREFUSED is a
 * connection never taken; ECONNRESET or UND_ERR_SOCKET is one cut off after it was taken.
 */
const outcomeOf = (answer: Promise<Response>): Promise<number | string> =>
  answer.then(
    async (response) => (await response.arrayBuffer(), response.status),
    (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
  );

/**
 * Sends a POST's headers with `Expect: 100-continue` on a connection of its own and resolves once
 * the server has taken the request (answered 100 Continue); `finish` sends the body and resolves
 * with the answer, or rejects with the socket error that cut it off.
 */
function takenRequest(
  baseUrl: string,
  body: string,
): Promise<{ finish(): Promise<{ status: number | string; body: string }> }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((taken, notTaken) => {
    const request = http.request({
      host: hostname,
      port,
      path: "/graphql",
      method: "POST",
      agent: false,
      headers: {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        expect: "100-continue",
        ...routerSignature(body),
      },
    });
    const answered = new Promise<{ status: number | string; body: string }>((resolve, reject) => {
      request.once("error", reject);
      request.once("response", (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.once("error", reject);
        response.once("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
    });
    answered.catch(notTaken);
    request.once("continue", () => taken({ finish: () => (request.end(body), answered) }));
    request.flushHeaders();
  });
}

describe("failure: start-up with a dependency down, truthful readiness, and graceful shutdown", () => {
  const testId = newTestId();
  let nats: PrivateNats;
  let redis: PrivateRedis;
  let products: ServiceProcess | undefined;

  beforeAll(async () => {
    nats = await PrivateNats.start();
    redis = await PrivateRedis.reserve();
  });

  afterAll(async () => {
    if (products && products.child.exitCode === null) {
      products.child.kill("SIGKILL");
      await products.exited;
    }
    await redis?.pause();
    await nats?.destroy();
    await dropDatabase(`${process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432"}/${testId}_products`);
    const main = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    await deleteStreams(await main.jetstreamManager(), testId);
    await main.close();
  });

  it("waits for Redis at start, with backoff, and starts once it is there", async () => {
    products = await startProducts(testId, { NATS_URL: nats.url, REDIS_URL: redis.url, STARTUP_TIMEOUT_SECONDS: "30" });
    await waitFor(
      () => products!.output.some((line) => line.includes("waiting for Redis")),
      "the service to say it waits for Redis",
    );
    expect((await ready(products)).status).toBe(0);
    await redis.resume();
    await waitFor(async () => (await ready(products!)).status === 200, "the service to become ready", 30_000);
  });

  it("logs each request as JSON with its request id and trace id", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const body = JSON.stringify({ query: "{ categories { id } }" });
    await fetch(`${products!.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-request-id": "req-test-42",
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
        ...routerSignature(body),
      },
      body,
    });
    const line = await waitFor(
      () => products!.output.find((each) => each.includes("req-test-42")),
      "the request's log line",
    );
    expect(JSON.parse(line)).toMatchObject({
      level: 30,
      service: "products",
      requestId: "req-test-42",
      traceId,
      method: "POST",
      path: "/graphql",
      status: 200,
      durationMs: expect.any(Number),
    });
  });

  it("tells the truth on /health/ready while Redis, then NATS, is down", async () => {
    await redis.pause();
    await waitFor(async () => (await ready(products!)).status === 503, "readiness to fail without Redis");
    expect((await ready(products!)).body.checks.redis?.ok).toBe(false);
    expect((await ready(products!)).body.checks.database?.ok).toBe(true);
    await redis.resume();
    await waitFor(async () => (await ready(products!)).status === 200, "readiness to come back with Redis", 15_000);

    await nats.pause();
    await waitFor(async () => (await ready(products!)).status === 503, "readiness to fail without NATS");
    expect((await ready(products!)).body.checks.nats?.ok).toBe(false);
    await nats.resume();
    await waitFor(async () => (await ready(products!)).status === 200, "readiness to come back with NATS", 15_000);
  });

  it("on SIGTERM stops taking work, finishes what is in flight, and exits cleanly", async () => {
    const service = products!;
    const body = JSON.stringify({ query: "{ products(first: 50) { totalCount edges { node { id } } } }" });
    // Requests the server has taken: it has read each one's headers and asked for its body (100
    // Continue), so each is in flight when the signal comes. Their bodies are sent only after it.
    const inFlight = await Promise.all(Array.from({ length: 10 }, () => takenRequest(service.url, body)));
    service.child.kill("SIGTERM");
    await waitFor(
      async () => (await outcomeOf(fetch(`${service.url}/health/live`))) === "ECONNREFUSED",
      "new connections to be refused",
    );
    // New work is refused outright, not taken and then dropped.
    expect(
      await outcomeOf(
        fetch(`${service.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body }),
      ),
    ).toBe("ECONNREFUSED");
    // Every request taken before the signal is answered in full; none is cut off half-way.
    const answers = await Promise.all(
      inFlight.map((request) =>
        request.finish().catch((error: NodeJS.ErrnoException) => ({ status: error.code ?? error.message, body: "" })),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(inFlight.length).fill(200));
    for (const answer of answers)
      expect(JSON.parse(answer.body)).toEqual({ data: { products: { totalCount: 0, edges: [] } } });
    expect(await service.exited).toBe(0);
    await expect(fetch(`${service.url}/health/live`)).rejects.toThrow();
  });
});
