import { graphql } from "../../test/support/graphqlClient";
import { loginAdmin } from "../../test/support/identity";
import { startServices, type TestServices } from "../../test/support/testServices";
import type { RunningRouter } from "../startRouter";

describe("the router", () => {
  let services: TestServices<"products">;
  let router: RunningRouter;

  beforeAll(async () => {
    services = await startServices(["products"]);
    router = services.router;
  });

  afterAll(async () => {
    await services?.cleanUp();
  });

  it("answers a query that asks for a field the supergraph lacks with GRAPHQL_VALIDATION_FAILED", async () => {
    const result = await graphql(router.url, "{ products { edges { node { id priceInBitcoin } } } }");
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(result.errors?.[0]?.message).toMatch(/priceInBitcoin/);
  });

  it("keeps an idle connection open for a minute, the router's and the subgraphs' alike", async () => {
    // The callers' connection pools (the router's to each subgraph, a load balancer's) close first.
    const routerAnswer = await fetch(router.url, {
      method: "POST",
      body: '{"query":"{ __typename }"}',
      headers: { "content-type": "application/json" },
    });
    expect(routerAnswer.headers.get("keep-alive")).toBe("timeout=65");
    const subgraphHealth = await fetch(`${new URL(services.products.url).origin}/health/live`);
    expect(subgraphHealth.headers.get("keep-alive")).toBe("timeout=65");
  });

  it("answers a query that does not parse with GRAPHQL_PARSE_FAILED", async () => {
    const result = await graphql(router.url, "{ products( }");
    expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("passes a subgraph's error code through and leaks nothing internal", async () => {
    const { accessToken } = await loginAdmin(router.url);
    const result = await graphql(
      router.url,
      `
        mutation {
          createProduct(input: { sku: "R-1", name: "X", price: "1.234" }) {
            id
          }
        }
      `,
      { token: accessToken },
    );
    expect(result.errors?.[0]?.extensions).toEqual(expect.objectContaining({ code: "BAD_USER_INPUT", field: "price" }));
    expect(JSON.stringify(result)).not.toMatch(/stacktrace|prisma|postgres/i);
  });

  it("answers a plain GET query, with no preflight header, and refuses a mutation over GET", async () => {
    const get = (params: Record<string, string>) => fetch(`${router.url}?${new URLSearchParams(params)}`);
    const typename = await get({ query: "{ __typename }" });
    expect(typename.status).toBe(200);
    expect(await typename.json()).toEqual({ data: { __typename: "Query" } });
    const page = await get({
      query: "query Page($first: Int) { products(first: $first) { totalCount } }",
      variables: JSON.stringify({ first: 5 }),
    });
    expect(await page.json()).toEqual({ data: { products: { totalCount: expect.any(Number) } } });

    const mutation = await get({
      query: `mutation { createProduct(input: { sku: "GET-1", name: "Via GET", price: "1.00" }) { id } }`,
    });
    expect(mutation.status).toBe(405);
    const refused = (await mutation.json()) as { data?: unknown; errors: Array<{ message: string }> };
    expect(refused.data).toBeUndefined();
    expect(refused.errors[0]?.message).toMatch(/GET requests only support query operations/);
  });

  it("serves Apollo Sandbox to a browser in development", async () => {
    const response = await fetch(router.url, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/embeddable-sandbox|sandbox/i);
  });

  it("is live, and ready only when every subgraph is reachable", async () => {
    expect((await fetch(new URL("/health/live", router.url))).status).toBe(200);
    const ready = await fetch(new URL("/health/ready", router.url));
    // Only users and products run in this test: the others are unreachable, and the router says which.
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(body.checks.products).toEqual({ ok: true });
    expect(body.checks.redis).toEqual({ ok: true });
    expect(body.checks.orders?.ok).toBe(false);
  });

  it("exposes Prometheus metrics", async () => {
    const response = await fetch(new URL("/metrics", router.url));
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/http_request_duration_seconds/);
  });
});
