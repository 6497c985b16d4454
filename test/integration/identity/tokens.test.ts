import { generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from "jose";
import { createHmac, randomUUID } from "node:crypto";
import { createUsersService, createUsersDatabase } from "../../../subgraphs/users";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startTestSubgraph } from "../../support/testSubgraph";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const createProduct = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`;
const me = `query { me { id roles } }`;

function base64url(value: object | string): string {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

describe("access tokens: the router and every subgraph verify them", () => {
  let services: TestServices<"products" | "orders">;
  let customer: Session & { password: string };
  let serviceKey: { kid: string; privateKey: KeyLike; publicJwk: JWK };

  beforeAll(async () => {
    services = await startServices(["products", "orders"]);
    customer = await registerCustomer(services.router.url);
    const stored = await services.users.runtime.db.signingKey.findFirstOrThrow();
    const jwk = stored.privateJwk as unknown as JWK;
    const { d: _d, ...publicJwk } = jwk;
    serviceKey = { kid: stored.kid, privateKey: (await importJWK(jwk, "EdDSA")) as KeyLike, publicJwk };
  });

  afterAll(() => services?.cleanUp());

  /** Claims as the users service would sign them for `customer`, changed by `overrides`. */
  function claims(overrides: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    const [, payload] = customer.accessToken.split(".");
    const original = JSON.parse(Buffer.from(payload!, "base64url").toString());
    return { ...original, iat: now, exp: now + 600, jti: randomUUID(), ...overrides };
  }

  async function expectRejectedEverywhere(token: string, message?: RegExp) {
    // The router answers before any subgraph is called...
    const viaRouter = await fetch(services.router.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: me }),
    });
    expect(viaRouter.status).toBe(401);
    const body = (await viaRouter.json()) as {
      data?: unknown;
      errors: Array<{ message: string; extensions: { code: string } }>;
    };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]?.extensions.code).toBe("UNAUTHENTICATED");
    if (message) expect(body.errors[0]?.message).toMatch(message);
    // ...and a subgraph called directly rejects it just the same.
    for (const subgraph of [services.users.url, services.products.url, services.orders.url]) {
      const direct = await graphql(subgraph, "{ __typename }", { token });
      expect(direct.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
  }

  it("accepts the token the users service issued", async () => {
    const result = await graphqlData(services.router.url, me, { token: customer.accessToken });
    expect(result.me).toEqual({ id: customer.user.id, roles: ["CUSTOMER"] });
  });

  it("rejects an expired token, saying so", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT(claims({ iat: now - 1000, exp: now - 60 }))
      .setProtectedHeader({ alg: "EdDSA", kid: serviceKey.kid, typ: "JWT" })
      .sign(serviceKey.privateKey);
    await expectRejectedEverywhere(expired, /expired/);
  });

  it("rejects a token signed with another key under the service's key id", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const forged = await new SignJWT(claims({ roles: ["CUSTOMER", "ADMIN"] }))
      .setProtectedHeader({ alg: "EdDSA", kid: serviceKey.kid })
      .sign(privateKey);
    await expectRejectedEverywhere(forged);
  });

  it("rejects an unsigned token (alg: none)", async () => {
    const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims({ roles: ["ADMIN"] }))}.`;
    await expectRejectedEverywhere(unsigned);
  });

  it("rejects a token whose payload was changed after signing", async () => {
    const [header, , signature] = customer.accessToken.split(".");
    const tampered = `${header}.${base64url(claims({ roles: ["CUSTOMER", "ADMIN"] }))}.${signature}`;
    await expectRejectedEverywhere(tampered);
  });

  it("rejects an HMAC token keyed with the public key (algorithm confusion)", async () => {
    const header = base64url({ alg: "HS256", kid: serviceKey.kid, typ: "JWT" });
    const payload = base64url(claims({ roles: ["ADMIN"] }));
    const signature = createHmac("sha256", JSON.stringify(serviceKey.publicJwk))
      .update(`${header}.${payload}`)
      .digest("base64url");
    await expectRejectedEverywhere(`${header}.${payload}.${signature}`);
  });

  it("rejects a token for another audience", async () => {
    const otherAudience = await new SignJWT(claims({ aud: "some-other-api" }))
      .setProtectedHeader({ alg: "EdDSA", kid: serviceKey.kid })
      .sign(serviceKey.privateKey);
    await expectRejectedEverywhere(otherAudience);
  });

  it("rejects a malformed Authorization header", async () => {
    const result = await fetch(services.router.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Basic dXNlcjpwYXNz" },
      body: JSON.stringify({ query: me }),
    });
    expect(result.status).toBe(401);
  });

  it("keeps back-office operations to ADMIN, through the router and directly", async () => {
    const input = { sku: `ROLE-${Date.now()}`, name: "Role check", price: "1.00" };
    for (const url of [services.router.url, services.products.url]) {
      const anonymous = await graphql(url, createProduct, { variables: { input } });
      expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      const asCustomer = await graphql(url, createProduct, { token: customer.accessToken, variables: { input } });
      expect(asCustomer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const admin = await loginAdmin(services.router.url);
    const created = await graphqlData(services.router.url, createProduct, {
      token: admin.accessToken,
      variables: { input },
    });
    expect(created.createProduct.id).toEqual(expect.any(String));
  });

  it("gives a request sent straight to a subgraph without a token no customer's data", async () => {
    const order = await services.orders.runtime.db.order.create({
      data: {
        number: "SECRET-1",
        customerId: customer.user.id,
        subtotalMinor: 100n,
        totalMinor: 100n,
        shippingAddress: { line1: "x", city: "y", postalCode: "z", country: "US" },
      },
    });
    const direct = await graphql(
      services.orders.url,
      `
        query ($id: ID!) {
          order(id: $id) {
            id
            total {
              amount
            }
          }
        }
      `,
      { variables: { id: order.id } },
    );
    expect(direct.data?.order ?? null).toBeNull();
    expect(direct.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // The federation entry point is guarded the same way.
    const entities = await graphql(
      services.orders.url,
      `
        query ($reps: [_Any!]!) {
          _entities(representations: $reps) {
            ... on Order {
              id
              total {
                amount
              }
            }
          }
        }
      `,
      { variables: { reps: [{ __typename: "Order", id: order.id }] } },
    );
    expect(JSON.stringify(entities.data ?? {})).not.toContain("1.00");
    expect(entities.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const userEntities = await graphql(
      services.users.url,
      `
        query ($reps: [_Any!]!) {
          _entities(representations: $reps) {
            ... on User {
              id
              name
              email
            }
          }
        }
      `,
      { variables: { reps: [{ __typename: "User", id: customer.user.id }] } },
    );
    expect(JSON.stringify(userEntities.data ?? {})).not.toContain(customer.user.email);
    expect(userEntities.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // Another customer with a valid token is not the owner.
    const stranger = await registerCustomer(services.router.url);
    const viaRouter = await graphql(
      services.router.url,
      `
        query ($id: ID!) {
          order(id: $id) {
            id
          }
        }
      `,
      { token: stranger.accessToken, variables: { id: order.id } },
    );
    expect(viaRouter.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const owner = await graphqlData(services.router.url, `query($id: ID!) { order(id: $id) { id total { amount } } }`, {
      token: customer.accessToken,
      variables: { id: order.id },
    });
    expect(owner.order).toEqual({ id: order.id, total: { amount: "1.00" } });
  });

  it("serves its public key as JWKS, and the router fetches the keys again for an unknown key id", async () => {
    const jwks = (await (await fetch(new URL("/.well-known/jwks.json", services.users.url))).json()) as { keys: JWK[] };
    expect(jwks.keys).toEqual([
      expect.objectContaining({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", kid: serviceKey.kid }),
    ]);
    expect(jwks.keys[0]).not.toHaveProperty("d");

    // Rotate: the users service comes back on the same port with a new key the router has not seen.
    const port = services.users.port;
    await services.users.stop();
    const db = createUsersDatabase(services.users.runtime.databaseUrl);
    await db.signingKey.deleteMany();
    await db.$disconnect();
    const { testId } = services;
    services.users = await startTestSubgraph(createUsersService(), testId, { PORT: String(port) });
    const rotated = await loginAdmin(services.router.url);
    const [header] = rotated.accessToken.split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString()).kid).not.toBe(serviceKey.kid);
    // The router fetches keys at most once a second, and this test fetched them a moment ago:
    // the new key is accepted as soon as the router may ask again.
    const result = await waitFor(
      async () => {
        const { data } = await graphql(services.router.url, me, { token: rotated.accessToken });
        return (data as { me?: { roles: string[] } } | undefined)?.me
          ? (data as { me: { roles: string[] } })
          : undefined;
      },
      "the router to learn the new key",
      5_000,
    );
    expect(result.me.roles).toContain("ADMIN");
  });
});
