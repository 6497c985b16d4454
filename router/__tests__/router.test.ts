import type { RunningSubgraph } from "../../subgraphs/common/server/startSubgraph";
import { productsService } from "../../subgraphs/products/service";
import type { ProductsDb } from "../../subgraphs/products/store/database";
import { graphql } from "../../test/support/graphqlClient";
import { newTestId } from "../../test/support/testNames";
import { startTestRouter } from "../../test/support/testRouter";
import { cleanUpTest, startTestSubgraph } from "../../test/support/testSubgraph";
import type { RunningRouter } from "../startRouter";

describe("the router", () => {
  const testId = newTestId();
  let products: RunningSubgraph<ProductsDb>;
  let router: RunningRouter;

  beforeAll(async () => {
    products = await startTestSubgraph(productsService, testId);
    router = await startTestRouter({ products: products.url });
  });

  afterAll(async () => {
    await router?.stop();
    await cleanUpTest(testId, [products]);
  });

  it("answers a query that asks for a field the supergraph lacks with GRAPHQL_VALIDATION_FAILED", async () => {
    const result = await graphql(router.url, "{ products { edges { node { id priceInBitcoin } } } }");
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(result.errors?.[0]?.message).toMatch(/priceInBitcoin/);
  });

  it("answers a query that does not parse with GRAPHQL_PARSE_FAILED", async () => {
    const result = await graphql(router.url, "{ products( }");
    expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("passes a subgraph's error code through and leaks nothing internal", async () => {
    const result = await graphql(router.url, `mutation { createProduct(input: { sku: "R-1", name: "X", price: "1.234" }) { id } }`);
    expect(result.errors?.[0]?.extensions).toEqual(expect.objectContaining({ code: "BAD_USER_INPUT", field: "price" }));
    expect(JSON.stringify(result)).not.toMatch(/stacktrace|prisma|postgres/i);
  });

  it("serves Apollo Sandbox to a browser in development", async () => {
    const response = await fetch(router.url, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/embeddable-sandbox|sandbox/i);
  });

  it("is live, and ready only when every subgraph is reachable", async () => {
    expect((await fetch(new URL("/health/live", router.url))).status).toBe(200);
    const ready = await fetch(new URL("/health/ready", router.url));
    // Only products runs in this test: the others are unreachable, and the router says which.
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(body.checks.products).toEqual({ ok: true });
    expect(body.checks.orders?.ok).toBe(false);
  });

  it("exposes Prometheus metrics", async () => {
    const response = await fetch(new URL("/metrics", router.url));
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/http_request_duration_seconds/);
  });
});
