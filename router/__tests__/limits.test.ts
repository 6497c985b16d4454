import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { inventoryService } from "../../subgraphs/inventory";
import { graphql } from "../../test/support/graphqlClient";
import { CatalogBuilder } from "../../test/support/catalogBuilder";
import { placeOrder, placeOrderInput, waitForOrder } from "../../test/support/checkout";
import { loginAdmin, registerCustomer } from "../../test/support/identity";
import { startTestRouter } from "../../test/support/testRouter";
import { startTestSubgraph } from "../../test/support/testSubgraph";
import { startServices, type TestServices } from "../../test/support/testServices";
import type { RunningRouter } from "../startRouter";

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("the router's limits and resilience", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let strict: RunningRouter;
  let redis: Redis;

  const urls = () => ({
    users: services.users.url,
    products: services.products.url,
    inventory: services.inventory.url,
    orders: services.orders.url,
    payments: services.payments.url,
  });
  const shared = () => ({
    USERS_JWKS_URL: services.shared.USERS_JWKS_URL!,
    REDIS_KEY_PREFIX: services.shared.REDIS_KEY_PREFIX!,
  });

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"]);
    strict = await startTestRouter(urls(), {
      ...shared(),
      MAX_REQUEST_BYTES: "2048",
      MAX_QUERY_DEPTH: "4",
      MAX_QUERY_COST: "300",
      RATE_LIMIT_REQUESTS: "8",
      RATE_LIMIT_WINDOW_SECONDS: "60",
      CORS_ORIGINS: "https://shop.example, https://admin.shop.example",
    });
    redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  });

  afterAll(async () => {
    redis?.disconnect();
    await strict?.stop();
    await services?.cleanUp();
  });

  it("refuses a request body over the size limit with 413", async () => {
    const response = await post(strict.url, { query: `{ categories { id } } # ${"x".repeat(4000)}` });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [{ message: "The request is too large (at most 2048 bytes).", extensions: { code: "BAD_REQUEST" } }],
    });
  });

  it("says which limit an operation is over, and by how much: depth", async () => {
    const deep = `{ categories { parent { parent { parent { parent { id } } } } } }`;
    const result = await graphql(strict.url, deep, { headers: { "x-forwarded-for": "10.0.0.1" } });
    expect(result.errors?.[0]).toMatchObject({
      message: "The operation's depth is 6, over the limit of 4 by 2.",
      extensions: { code: "GRAPHQL_VALIDATION_FAILED", limit: "depth", maximum: 4, actual: 6 },
    });
  });

  it("says which limit an operation is over, and by how much: cost", async () => {
    const expensive = `{ products(first: 100) { edges { node { id name sku } } } }`;
    const result = await graphql(strict.url, expensive, { headers: { "x-forwarded-for": "10.0.0.2" } });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: "GRAPHQL_VALIDATION_FAILED",
      limit: "cost",
      maximum: 300,
    });
    expect(result.errors?.[0]?.message).toMatch(/^The operation's cost is (\d+), over the limit of 300 by \d+\.$/);
    const cheap = await graphql(
      strict.url,
      `
        {
          products(first: 10) {
            edges {
              node {
                id
                name
              }
            }
          }
        }
      `,
      { headers: { "x-forwarded-for": "10.0.0.2" } },
    );
    expect(cheap.errors).toBeUndefined();
  });

  it("answers a literal page size over the maximum with BAD_USER_INPUT on `first`, not as a cost over the limit", async () => {
    const result = await graphql(
      services.router.url,
      `
        {
          products(first: 1000) {
            totalCount
            edges {
              node {
                id
                name
              }
            }
          }
        }
      `,
    );
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
  });

  it("holds GET queries to the same limits as POST", async () => {
    const get = (query: string, headers: Record<string, string>) =>
      fetch(`${strict.url}?${new URLSearchParams({ query })}`, { headers });
    const deep = (await (
      await get(`{ categories { parent { parent { parent { parent { id } } } } } }`, { "x-forwarded-for": "10.0.0.20" })
    ).json()) as {
      errors: Array<{ extensions: Record<string, unknown> }>;
    };
    expect(deep.errors[0]?.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", limit: "depth", maximum: 4 });
    const statuses: number[] = [];
    let last: { errors?: Array<{ extensions: Record<string, unknown> }> } = {};
    for (let n = 0; n < 8; n += 1) {
      const response = await get("{ categories { id } }", { "x-forwarded-for": "10.0.0.20" });
      statuses.push(response.status);
      last = (await response.json()) as typeof last;
    }
    // The depth-limited request above counted too: the eighth GET is the ninth request.
    expect(statuses.slice(0, 7).every((status) => status === 200)).toBe(true);
    expect(statuses[7]).toBe(429);
    expect(last.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter: expect.any(Number) });
  });

  it("serves automatic persisted queries from Redis", async () => {
    const query = `query PersistedCategories { categories { id name } }`;
    const sha256Hash = createHash("sha256").update(query).digest("hex");
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const unknown = (await (await post(services.router.url, { extensions })).json()) as {
      errors: Array<{ extensions: { code: string } }>;
    };
    expect(unknown.errors[0]?.extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    const registered = (await (await post(services.router.url, { query, extensions })).json()) as {
      data: { categories: unknown[] };
    };
    expect(registered.data.categories).toEqual([]);
    expect(await redis.exists(`${services.shared.REDIS_KEY_PREFIX}apq:apq:${sha256Hash}`)).toBe(1);
    const byHash = await (await post(services.router.url, { extensions })).json();
    expect(byHash).toEqual({ data: { categories: [] } });
  });

  it("limits requests per client in Redis, with RATE_LIMITED and retryAfter", async () => {
    const customer = await registerCustomer(services.router.url);
    const statuses: number[] = [];
    let last: { errors?: Array<{ extensions: { code: string; retryAfter: number } }> } = {};
    for (let n = 0; n < 9; n += 1) {
      const response = await post(
        strict.url,
        { query: "{ categories { id } }" },
        { authorization: `Bearer ${customer.accessToken}` },
      );
      statuses.push(response.status);
      last = (await response.json()) as typeof last;
    }
    expect(statuses.slice(0, 8).every((status) => status === 200)).toBe(true);
    expect(statuses[8]).toBe(429);
    expect(last.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter: expect.any(Number) });
    // Another client is not affected.
    expect((await post(strict.url, { query: "{ categories { id } }" }, { "x-forwarded-for": "10.0.0.9" })).status).toBe(
      200,
    );
  });

  it("answers CORS preflights for the configured origins only", async () => {
    const preflight = (origin: string) =>
      fetch(strict.url, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,authorization",
        },
      });
    const allowed = await preflight("https://shop.example");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    const refused = await preflight("https://evil.example");
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("returns the rest of the data when a subgraph is down, with an error for its fields only", async () => {
    const admin = await loginAdmin(services.router.url);
    const product = await new CatalogBuilder(services.router.url, admin.accessToken).product({
      name: "Partial",
      price: "1.00",
      stock: 2,
    });
    const port = services.inventory.port;
    await services.inventory.stop();
    try {
      const result = await graphql(
        services.router.url,
        `
          query ($id: ID!) {
            product(id: $id) {
              id
              name
              price {
                amount
              }
              stock {
                available
              }
            }
          }
        `,
        { variables: { id: product.id } },
      );
      expect(result.data).toEqual({
        product: { id: product.id, name: "Partial", price: { amount: "1.00" }, stock: null },
      });
      expect(result.errors).toHaveLength(1);
      expect(result.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^The inventory service is unavailable/),
        extensions: { code: "SERVICE_UNAVAILABLE" },
      });
      expect(JSON.stringify(result)).not.toMatch(/localhost|127\.0\.0\.1|ECONNREFUSED/);
    } finally {
      services.inventory = await startTestSubgraph(inventoryService, services.testId, {
        ...services.shared,
        PORT: String(port),
      });
    }
  });

  it("gives up on a subgraph that does not answer in time, retrying queries but never mutations", async () => {
    const admin = await loginAdmin(services.router.url);
    const customer = await registerCustomer(services.router.url);
    const product = await new CatalogBuilder(services.router.url, admin.accessToken).product({
      name: "Slow Payment",
      price: "5.00",
      stock: 2,
    });
    const placed = await placeOrder(
      services.router.url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitForOrder(
      services.router.url,
      customer.accessToken,
      placed.id,
      (order) => order.status === "CONFIRMED",
      "CONFIRMED",
    );

    // A payments subgraph that takes every request and never answers.
    const received: Array<{ body: string }> = [];
    const silent = http.createServer((request) => {
      const entry = { body: "" };
      received.push(entry);
      request.setEncoding("utf8").on("data", (chunk: string) => (entry.body += chunk));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql`;
    const retries = 2;
    const router = await startTestRouter(
      { ...urls(), payments: silentUrl },
      { ...shared(), SUBGRAPH_TIMEOUT_SECONDS: "0.3", SUBGRAPH_RETRIES: String(retries) },
    );
    const operations = () =>
      received.map(
        ({ body }) => (JSON.parse(body) as { query: string }).query.match(/^\s*(query|mutation)\b/)?.[1] ?? "other",
      );
    try {
      // Signed in through the router with the usual timeout: this one's is for payments.
      const routerAdmin = await loginAdmin(services.router.url);
      // A query that needs the silent subgraph: the rest of the answer comes, its field is an error.
      const query = await graphql(
        router.url,
        `
          query ($id: ID!) {
            order(id: $id) {
              id
              status
              payment {
                status
              }
            }
          }
        `,
        { token: routerAdmin.accessToken, variables: { id: placed.id } },
      );
      expect(query.data).toEqual({ order: { id: placed.id, status: "CONFIRMED", payment: null } });
      expect(query.errors).toHaveLength(1);
      expect(query.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^The payments service is unavailable/),
        extensions: { code: "SERVICE_UNAVAILABLE" },
      });
      expect(received.every(({ body }) => body.includes("_entities"))).toBe(true);
      expect(operations()).toEqual(Array(1 + retries).fill("query"));

      received.length = 0;
      const mutation = await graphql(
        router.url,
        `
          mutation ($id: ID!) {
            refundOrder(input: { orderId: $id }) {
              id
            }
          }
        `,
        { token: routerAdmin.accessToken, variables: { id: placed.id } },
      );
      expect(mutation.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
      expect(operations()).toEqual(["mutation"]);
    } finally {
      await router.stop();
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("refuses to start in production on unsafe settings, naming each", async () => {
    await expect(startTestRouter(urls(), { ...shared(), NODE_ENV: "production" })).rejects.toThrow(
      /ROUTER_SIGNING_SECRET: is the published development value[\s\S]*CORS_ORIGINS: \* lets any web page call the API/,
    );
  });

  it("turns introspection and Sandbox off in production", async () => {
    const router = await startTestRouter(urls(), {
      ...shared(),
      NODE_ENV: "production",
      CORS_ORIGINS: "https://shop.example",
      ROUTER_SIGNING_SECRET: "a-production-secret-of-at-least-32-characters",
    });
    try {
      const introspection = await graphql(router.url, "{ __schema { types { name } } }");
      expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
      const page = await (await fetch(router.url, { headers: { accept: "text/html" } })).text();
      expect(page).not.toMatch(/embeddable-sandbox/);
    } finally {
      await router.stop();
    }
  });
});
