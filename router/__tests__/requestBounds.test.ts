import { createHash, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { graphql, graphqlData } from "../../test/support/graphqlClient";
import { registerCustomer } from "../../test/support/identity";
import { startTestRouter } from "../../test/support/testRouter";
import { startServices, type TestServices } from "../../test/support/testServices";
import type { RunningRouter } from "../startRouter";

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** Mutations the users service ran, by the counter every subgraph keeps. */
async function mutationsRunBy(services: TestServices<"products">): Promise<number> {
  const { values } = await services.users.runtime.metrics.operations.get();
  return values.filter((sample) => sample.labels.type === "mutation").reduce((sum, sample) => sum + sample.value, 0);
}

/** The value of a Prometheus sample with these labels (in any order, among others), or undefined. */
function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((each) => [each[1], each[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe("one request cannot buy unbounded work", () => {
  let services: TestServices<"products">;
  let router: RunningRouter;
  let redis: Redis;

  beforeAll(async () => {
    services = await startServices(["products"]);
    router = services.router;
    redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  });

  afterAll(async () => {
    redis?.disconnect();
    await services?.cleanUp();
  });

  it("refuses a thousand aliased resetPassword in one request before any is hashed", async () => {
    const before = await mutationsRunBy(services);
    const aliases = Array.from(
      { length: 1000 },
      (_, n) => `r${n}: resetPassword(input: { token: "t${n}", newPassword: "a-new-password-${n}" })`,
    );
    const response = await post(router.url, { query: `mutation { ${aliases.join(" ")} }` });
    const result = (await response.json()) as {
      data?: unknown;
      errors: Array<{ message: string; extensions: object }>;
    };
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([
      {
        message:
          "The operation has 1000 root mutation fields, over the limit of 10 by 990: send them in separate requests.",
        extensions: { code: "GRAPHQL_VALIDATION_FAILED", limit: "mutations", maximum: 10, actual: 1000 },
      },
      {
        message:
          "The operation has expensive mutations (resetPassword) of weight 1000, over the limit of 2 by 998: send them in separate requests.",
        extensions: { code: "GRAPHQL_VALIDATION_FAILED", limit: "expensiveMutations", maximum: 2, actual: 1000 },
      },
    ]);
    expect(await mutationsRunBy(services)).toBe(before);
  });

  it("counts placeOrder, refundOrder and the account mails as expensive too", async () => {
    const orders = `mutation {
      a: placeOrder(input: { idempotencyKey: "a", paymentToken: "tok_visa" }) { id }
      b: placeOrder(input: { idempotencyKey: "b", paymentToken: "tok_visa" }) { id }
      c: refundOrder(input: { orderId: "${randomUUID()}" }) { id }
    }`;
    expect((await graphql(router.url, orders)).errors?.[0]?.extensions).toMatchObject({
      limit: "expensiveMutations",
      actual: 3,
    });
    const mails = `mutation { a: requestPasswordReset(email: "a@x.example") b: requestPasswordReset(email: "b@x.example") c: register(input: { email: "c@x.example", password: "password-c-1", name: "C" }) { accessToken } }`;
    expect((await graphql(router.url, mails)).errors?.[0]?.extensions).toMatchObject({
      limit: "expensiveMutations",
      actual: 3,
    });
  });

  it("runs what a client needs in one request: two logins", async () => {
    const first = await registerCustomer(router.url);
    const second = await registerCustomer(router.url);
    const login = (session: typeof first) =>
      `login(input: { email: "${session.user.email}", password: "${session.password}" }) { user { id } }`;
    const data = await graphqlData(router.url, `mutation { a: ${login(first)} b: ${login(second)} }`);
    expect([data.a.user.id, data.b.user.id]).toEqual([first.user.id, second.user.id]);
  });

  it("refuses more than 10 root mutation fields, cheap ones too", async () => {
    const logouts = Array.from({ length: 11 }, (_, n) => `l${n}: logout(refreshToken: "x${n}")`).join(" ");
    const result = await graphql(router.url, `mutation { ${logouts} }`);
    expect(result.errors?.[0]?.extensions).toEqual({
      code: "GRAPHQL_VALIDATION_FAILED",
      limit: "mutations",
      maximum: 10,
      actual: 11,
    });
  });

  it("does not take several operations in one HTTP request (batching)", async () => {
    const before = await mutationsRunBy(services);
    const batch = Array.from({ length: 5 }, (_, n) => ({
      query: `mutation { requestPasswordReset(email: "batch${n}@x.example") }`,
    }));
    const response = await post(router.url, batch);
    expect(response.status).toBe(400);
    expect(await mutationsRunBy(services)).toBe(before);
  });

  it("counts a list without `first` at its real maximum", async () => {
    const result = await graphql(router.url, "{ categories { id children { id children { id } } } }");
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", limit: "cost" });
  });

  describe("metrics take no label from the client", () => {
    const scrape = async (url: string) => (await fetch(new URL("/metrics", url))).text();

    it("counts an operation by its name only when it is one of the contract's, and as `other` otherwise", async () => {
      const invented = `Invented${randomUUID().replaceAll("-", "")}`;
      await graphqlData(router.url, `query ${invented} { __typename }`);
      await graphqlData(router.url, `query Categories { categories { id name } }`);
      const text = await scrape(router.url);
      expect(text).not.toContain(invented);
      expect(sampleValue(text, "graphql_operations_total", { operation: "other", type: "query" })).toBeGreaterThan(0);
      expect(sampleValue(text, "graphql_operations_total", { operation: "Categories" })).toBeGreaterThan(0);
      // The subgraph counts the router's part of the plan under the contract's name.
      const products = await scrape(services.products.url);
      expect(sampleValue(products, "graphql_operations_total", { operation: "Categories" })).toBeGreaterThan(0);
      expect(products).not.toContain("Categories__products__0");
      expect(products).not.toContain(invented);
    });

    it("labels a request by its route, answers /graphql/<anything> with 404, and puts every unknown path under one label", async () => {
      const junk = randomUUID();
      expect((await post(`${router.url}/${junk}`, { query: "{ __typename }" })).status).toBe(404);
      expect((await fetch(new URL(`/${junk}`, router.url))).status).toBe(404);
      expect((await post(`${router.url}?${junk}=1`, { query: "{ __typename }" })).status).toBe(200);
      expect((await fetch(new URL(`/health/live?${junk}`, router.url))).status).toBe(200);
      const text = await scrape(router.url);
      expect(text).not.toContain(junk);
      const count = (labels: Record<string, string>) =>
        sampleValue(text, "http_request_duration_seconds_count", labels);
      expect(count({ method: "POST", route: "/graphql", status: "200" })).toBeGreaterThan(0);
      expect(count({ method: "POST", route: "unmatched", status: "404" })).toBeGreaterThan(0);
      expect(count({ method: "GET", route: "unmatched", status: "404" })).toBeGreaterThan(0);
      expect(count({ method: "GET", route: "/health/live", status: "200" })).toBeGreaterThan(0);
    });
  });

  describe("persisted queries are bounded", () => {
    let bounded: RunningRouter;
    const prefix = () => `${services.shared.REDIS_KEY_PREFIX}apq:`;
    const register = async (query: string) => {
      const sha256Hash = createHash("sha256").update(query).digest("hex");
      const extensions = { persistedQuery: { version: 1, sha256Hash } };
      await (await post(bounded.url, { query, extensions })).json();
      return { sha256Hash, byHash: async () => (await (await post(bounded.url, { extensions })).json()) as any };
    };

    beforeAll(async () => {
      bounded = await startTestRouter(
        { users: services.users.url, products: services.products.url },
        {
          USERS_JWKS_URL: services.shared.USERS_JWKS_URL!,
          REDIS_KEY_PREFIX: services.shared.REDIS_KEY_PREFIX!,
          APQ_MAX_ENTRIES: "3",
          APQ_MAX_ENTRY_BYTES: "512",
        },
      );
    });

    afterAll(() => bounded?.stop());

    it("answers a query over the entry size but does not keep it", async () => {
      const large = `query Large { categories { id } } # ${"x".repeat(600)}`;
      const { sha256Hash, byHash } = await register(large);
      expect(await redis.exists(`${prefix()}apq:${sha256Hash}`)).toBe(0);
      expect((await byHash()).errors[0].extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    });

    it("keeps at most APQ_MAX_ENTRIES, dropping the least recently used", async () => {
      const queries = Array.from({ length: 5 }, (_, n) => `query Lru${n} { categories { id } }`);
      const first = await register(queries[0]!);
      await register(queries[1]!);
      await register(queries[2]!);
      // The first is used again, so the second is now the least recently used.
      expect(await first.byHash()).toEqual({ data: { categories: [] } });
      await register(queries[3]!);
      await register(queries[4]!);
      const kept = await Promise.all(
        queries.map(async (query) => {
          const hash = createHash("sha256").update(query).digest("hex");
          return (await redis.exists(`${prefix()}apq:${hash}`)) === 1;
        }),
      );
      expect(kept).toEqual([true, false, false, true, true]);
      expect(await redis.zcard(`${prefix()}index`)).toBe(3);
    });
  });
});
