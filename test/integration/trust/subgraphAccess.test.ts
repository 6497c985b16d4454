import { randomUUID } from "node:crypto";
import net from "node:net";
import { networkInterfaces } from "node:os";
import { signRouterRequest } from "../../../subgraphs/common/auth/routerCredential";
import { graphql, graphqlData, routerSignature, testRouterSigningSecret } from "../../support/graphqlClient";
import { startTestRouter } from "../../support/testRouter";
import { startServices, type TestServices } from "../../support/testServices";

/** An address of this machine other than loopback, if it has one. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((each) => each && each.family === "IPv4" && !each.internal)?.address;

async function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("subgraphs answer only the router", () => {
  let services: TestServices<"products">;

  beforeAll(async () => {
    services = await startServices(["products"], { settings: { users: { LOGIN_MAX_FAILURES_PER_ADDRESS: "3" } } });
  });

  afterAll(() => services?.cleanUp());

  const subgraphs = () => ({ users: services.users.url, products: services.products.url });

  it.each(["users", "products"] as const)(
    "%s answers a request without the router credential with 401",
    async (name) => {
      const url = subgraphs()[name];
      for (const query of ["{ __typename }", "{ _service { sdl } }"]) {
        const response = await post(url, JSON.stringify({ query }));
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({
          errors: [
            {
              message: "This service answers only the router: the request carries no valid router credential.",
              extensions: { code: "UNAUTHENTICATED" },
            },
          ],
        });
      }
      const entities = JSON.stringify({
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }`,
        variables: { r: [{ __typename: "User", id: randomUUID() }] },
      });
      expect((await post(url, entities)).status).toBe(401);
      // GET carries no body to sign: never the router's way.
      expect((await fetch(`${url}?query=${encodeURIComponent("{ __typename }")}`)).status).toBe(401);
    },
  );

  it("refuses a signature made with another secret, one too old, or one of another body", async () => {
    const url = services.products.url;
    const body = JSON.stringify({ query: "{ categories { id } }" });
    const other = JSON.stringify({ query: "{ products(first: 1) { totalCount } }" });
    const refused = [
      { "x-router-signature": signRouterRequest(`not-the-secret-${"x".repeat(32)}`, body) },
      { "x-router-signature": signRouterRequest(testRouterSigningSecret, body, Date.now() - 5 * 60_000) },
      routerSignature(other),
      { "x-router-signature": "t=1,v1=deadbeef" },
    ];
    for (const headers of refused) expect((await post(url, body, headers)).status).toBe(401);
    expect((await post(url, body, routerSignature(body))).status).toBe(200);
  });

  it("answers `_service` and `_entities` to the router's credential", async () => {
    const { _service } = await graphqlData(services.products.url, "{ _service { sdl } }");
    expect(_service.sdl).toMatch(/type Product/);
    const unknown = randomUUID();
    const { _entities } = await graphqlData(
      services.products.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id } } }`,
      { variables: { r: [{ __typename: "Product", id: unknown }] } },
    );
    expect(_entities).toEqual([null]);
  });

  it("keeps a forged token refused at a subgraph that the request reaches signed", async () => {
    const forged = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"x"}').toString("base64url")}.`;
    const result = await graphql(services.users.url, "{ me { id } }", { token: forged });
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(result.errors?.[0]?.message).not.toMatch(/router credential/);
  });

  it("limits failed logins per client address through the router, whatever X-Forwarded-For the client writes", async () => {
    // A router with nothing in front of it: its clients are who connect to it.
    const router = await startTestRouter(subgraphs(), {
      USERS_JWKS_URL: services.shared.USERS_JWKS_URL!,
      REDIS_KEY_PREFIX: services.shared.REDIS_KEY_PREFIX!,
      TRUST_PROXY: "false",
    });
    try {
      const codes = [];
      for (let n = 1; n <= 4; n += 1) {
        const result = await graphql(
          router.url,
          `mutation { login(input: { email: "nobody-${n}-${randomUUID()}@example.com", password: "wrong-password" }) { accessToken } }`,
          { headers: { "x-forwarded-for": `203.0.113.${n}` }, signed: false },
        );
        codes.push(result.errors?.[0]?.extensions?.code);
      }
      expect(codes).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED", "RATE_LIMITED"]);
    } finally {
      await router.stop();
    }
  });

  const onExternalAddress = externalAddress ? it : it.skip;

  onExternalAddress(
    "listens on loopback only by default: a subgraph cannot be reached from another address",
    async () => {
      expect(await connects("127.0.0.1", services.products.port)).toBe(true);
      expect(await connects(externalAddress!, services.products.port)).toBe(false);
    },
  );

  onExternalAddress(
    "counts a client reaching the router from outside by its own address, not by what it writes in X-Forwarded-For",
    async () => {
      const router = await startTestRouter(subgraphs(), {
        USERS_JWKS_URL: services.shared.USERS_JWKS_URL!,
        REDIS_KEY_PREFIX: `${services.testId}-outside:`,
        HOST: "0.0.0.0",
        RATE_LIMIT_REQUESTS: "3",
      });
      try {
        const outside = `http://${externalAddress}:${router.port}/graphql`;
        const statuses = [];
        for (let n = 1; n <= 4; n += 1) {
          const response = await post(outside, JSON.stringify({ query: "{ __typename }" }), {
            "x-forwarded-for": `198.51.100.${n}`,
          });
          statuses.push(response.status);
        }
        expect(statuses).toEqual([200, 200, 200, 429]);
      } finally {
        await router.stop();
      }
    },
  );
});
