import http from "node:http";
import type { AddressInfo } from "node:net";
import { isMutation, subgraphFetcher } from "../subgraphFetcher";
import { createLogger } from "../../subgraphs/common/logger";

const body = (query: string) => JSON.stringify({ query, variables: {} });

describe("the router's subgraph fetcher", () => {
  it("tells a mutation from the start of the body the gateway wrote, without parsing it", () => {
    expect(isMutation(body("mutation PlaceOrder__orders__0($input: PlaceOrderInput!) { placeOrder }"))).toBe(true);
    expect(isMutation(body("\n  mutation { a }"))).toBe(true);
    expect(isMutation(body("query Products__products__0 { products { id } }"))).toBe(false);
    expect(isMutation(body("{ products { id } }"))).toBe(false);
    expect(isMutation(body("query mutationLike { a }"))).toBe(false);
    // Anything of another shape is never retried.
    expect(isMutation(JSON.stringify({ variables: {}, query: "query { a }" }))).toBe(true);
    expect(isMutation(undefined)).toBe(true);
  });

  it("sends requests over one kept-alive connection, signed, and hands the answer to the gateway", async () => {
    const connections: unknown[] = [];
    const signatures: string[] = [];
    const server = http.createServer((req, res) => {
      signatures.push(String(req.headers["x-router-signature"] ?? ""));
      req.resume().on("end", () => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ data: { ok: true } }));
      });
    });
    server.on("connection", (socket) => connections.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const fetcher = subgraphFetcher({
      serviceName: "products",
      timeoutMs: 5000,
      retries: 1,
      logger: createLogger("test", { level: "silent" }),
      signingSecret: "a".repeat(64),
    });
    try {
      for (let n = 0; n < 3; n += 1) {
        const response = await fetcher(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: body("{ ok }"),
        });
        expect(response.ok).toBe(true);
        expect(response.headers.get("Content-Type")).toBe("application/json");
        expect(await response.json()).toEqual({ data: { ok: true } });
      }
      expect(connections).toHaveLength(1);
      expect(signatures.every((signature) => signature.length > 0)).toBe(true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
