import http from "node:http";
import type { AddressInfo } from "node:net";
import { startTestRouter } from "../../test/support/testRouter";

/**
 * This process starts no tracer (as the router runs without an exporter): no async context holds
 * a span, and the trace context must ride on the request itself into the subgraph requests.
 */
describe("the router's trace context without an async context", () => {
  const received: Array<string | undefined> = [];
  let products: http.Server;
  let productsUrl: string;

  beforeAll(async () => {
    products = http.createServer((req, res) => {
      received.push(req.headers.traceparent as string | undefined);
      req.resume().on("end", () => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ data: { categories: [] } }));
      });
    });
    await new Promise<void>((resolve) => products.listen(0, "127.0.0.1", resolve));
    productsUrl = `http://127.0.0.1:${(products.address() as AddressInfo).port}/graphql`;
  });

  afterAll(() => {
    products.closeAllConnections();
    products.close();
  });

  const ask = (url: string, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "cache-control": "no-cache", ...headers },
      body: JSON.stringify({ query: "{ categories { id } }" }),
    });

  it("passes the caller's trace on to subgraphs, and starts one when the caller sent none", async () => {
    const router = await startTestRouter({ products: productsUrl }, { PUBLIC_RESPONSE_CACHE_SECONDS: "0" });
    try {
      const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      expect((await ask(router.url, { traceparent })).status).toBe(200);
      expect(received.at(-1)).toBe(traceparent);

      expect((await ask(router.url)).status).toBe(200);
      const started = received.at(-1);
      expect(started).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      expect(started).not.toContain("4bf92f3577b34da6a3ce929d0e0e4736");

      // A malformed one is replaced, not passed on.
      expect((await ask(router.url, { traceparent: "00-zz-yy-01" })).status).toBe(200);
      expect(received.at(-1)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    } finally {
      await router.stop();
    }
  });
});
