import { CatalogBuilder } from "../../support/catalogBuilder";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { login, loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { NatsTap } from "../../support/natsTap";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const roleCreate = `mutation($input: StaffRoleInput!) { roleCreate(input: $input) { id name description permissions } }`;
const roleUpdate = `mutation($id: ID!, $input: StaffRoleUpdateInput!) { roleUpdate(id: $id, input: $input) { id permissions } }`;
const assign = `mutation($userId: ID!, $roleId: ID!) { staffRoleAssign(userId: $userId, roleId: $roleId) { id staffRoles { name } } }`;
const revokeRole = `mutation($userId: ID!, $roleId: ID!) { staffRoleRevoke(userId: $userId, roleId: $roleId) { id staffRoles { name } } }`;
const me = `{ me { id permissions staffRoles { name permissions } } }`;
const updateProduct = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id name } }`;
const adjustStock = `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { onHand available } }`;
const stockDetail = `query($id: ID!) { product(id: $id) { id stock { onHand } } }`;
const refund = `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { id } }`;
const readCustomer = `query($id: ID!) { user(id: $id) { id email } }`;
const apiKeyCreate = `mutation($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) { key apiKey { id name keyPrefix permissions requestsPerMinute createdById lastUsedAt revokedAt } }
}`;
const apiKeyRevoke = `mutation($id: ID!) { apiKeyRevoke(id: $id) { id revokedAt } }`;
const apiKeys = `query($revoked: Boolean) {
  apiKeys(includeRevoked: $revoked) { totalCount edges { node { id name keyPrefix permissions lastUsedAt revokedAt } } }
}`;
const noSuchOrder = "00000000-0000-4000-8000-000000000000";

describe("staff roles and API keys, through the router", () => {
  let services: TestServices<"products" | "inventory" | "payments">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;
  let product: { id: string };
  let tap: NatsTap;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "payments"]);
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
    product = await build.product({ name: "Staff Kettle", price: "30.00", stock: 5 });
    tap = await NatsTap.open(`${services.testId}.users.api_key.>`);
    // Four services and the router start on a machine other test files share.
  }, 180_000);

  afterAll(async () => {
    await tap?.close();
    await services?.cleanUp();
  });

  const codeOf = async (query: string, token: string, variables: Record<string, unknown> = {}) =>
    (await graphql(url, query, { token, variables })).errors?.[0]?.extensions?.code;
  const asAdmin = <T = Record<string, any>>(query: string, variables: Record<string, unknown>) =>
    graphqlData<T>(url, query, { token: admin.accessToken, variables });

  /** A customer given a role of the named permissions, signed in again afterwards (with the role). */
  async function staffMember(name: string, permissions: string[]) {
    const person = await registerCustomer(url, { name });
    const { roleCreate: role } = await asAdmin(roleCreate, {
      input: { name: `${name} role`, description: `What ${name} does`, permissions },
    });
    await asAdmin(assign, { userId: person.user.id, roleId: role.id });
    return { person, role: role as { id: string }, session: await login(url, person.user.email, person.password) };
  }

  it("lets a catalog manager change a product, and nothing else: FORBIDDEN on a refund and on stock", async () => {
    const { session } = await staffMember("Catalog Carla", ["CATALOG"]);
    expect((await graphqlData(url, me, { token: session.accessToken })).me).toMatchObject({
      permissions: ["CATALOG"],
      staffRoles: [{ name: "Catalog Carla role", permissions: ["CATALOG"] }],
    });
    const { updateProduct: updated } = await graphqlData(url, updateProduct, {
      token: session.accessToken,
      variables: { id: product.id, input: { name: "Staff Kettle Deluxe" } },
    });
    expect(updated).toEqual({ id: product.id, name: "Staff Kettle Deluxe" });

    const refundInput = { input: { orderId: noSuchOrder } };
    expect(await codeOf(refund, session.accessToken, refundInput)).toBe("FORBIDDEN");
    // The same refund from the admin passes the permission check and fails only for the order.
    expect(await codeOf(refund, admin.accessToken, refundInput)).toBe("NOT_FOUND");
    const stockInput = { input: { productId: product.id, delta: 1, reason: "found one" } };
    expect(await codeOf(adjustStock, session.accessToken, stockInput)).toBe("FORBIDDEN");
    expect(await codeOf(stockDetail, session.accessToken, { id: product.id })).toBe("FORBIDDEN");
    expect(await codeOf(readCustomer, session.accessToken, { id: admin.user.id })).toBe("FORBIDDEN");
  });

  it("makes a role change take effect at once: old tokens stop working, the next sign-in carries the change", async () => {
    const { person, role, session } = await staffMember("Changing Chris", ["CATALOG"]);
    const stockInput = { input: { productId: product.id, delta: 2, reason: "recount" } };
    expect(await codeOf(adjustStock, session.accessToken, stockInput)).toBe("FORBIDDEN");

    await asAdmin(roleUpdate, { id: role.id, input: { permissions: ["CATALOG", "INVENTORY"] } });
    // Every token of a holder is refused, by the router and the subgraphs alike; the refresh token too.
    expect(await codeOf(me, session.accessToken)).toBe("UNAUTHENTICATED");
    expect(
      await codeOf(`mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }`, "", {
        t: session.refreshToken,
      }),
    ).toBe("UNAUTHENTICATED");
    const widened = await login(url, person.user.email, person.password);
    const { adjustStock: adjusted } = await graphqlData(url, adjustStock, {
      token: widened.accessToken,
      variables: stockInput,
    });
    expect(adjusted.onHand).toBeGreaterThanOrEqual(2);

    const { staffRoleRevoke } = await asAdmin(revokeRole, { userId: person.user.id, roleId: role.id });
    expect(staffRoleRevoke.staffRoles).toEqual([]);
    expect(await codeOf(me, widened.accessToken)).toBe("UNAUTHENTICATED");
    const customerAgain = await login(url, person.user.email, person.password);
    expect((await graphqlData(url, me, { token: customerAgain.accessToken })).me.permissions).toEqual([]);
    expect(
      await codeOf(updateProduct, customerAgain.accessToken, { id: product.id, input: { name: "Not mine" } }),
    ).toBe("FORBIDDEN");
  });

  it("lets staff grant only permissions they hold, and refuses staff work to customers", async () => {
    const { session } = await staffMember("Staff Sam", ["STAFF", "CATALOG"]);
    expect(
      await codeOf(roleCreate, session.accessToken, { input: { name: "Refunder", permissions: ["REFUNDS"] } }),
    ).toBe("FORBIDDEN");
    expect(
      await codeOf(apiKeyCreate, session.accessToken, { input: { name: "ERP", permissions: ["CATALOG", "ORDERS"] } }),
    ).toBe("FORBIDDEN");
    const { roleCreate: made } = await graphqlData(url, roleCreate, {
      token: session.accessToken,
      variables: { input: { name: "Catalog helper", permissions: ["CATALOG"] } },
    });
    expect(made.permissions).toEqual(["CATALOG"]);
    expect(
      await codeOf(roleCreate, session.accessToken, { input: { name: "Catalog helper", permissions: ["CATALOG"] } }),
    ).toBe("CONFLICT");
    const customer = await registerCustomer(url);
    expect(await codeOf(`{ roles { id } }`, customer.accessToken)).toBe("FORBIDDEN");
    expect(await codeOf(apiKeys, customer.accessToken)).toBe("FORBIDDEN");
    const empty = await graphql(url, roleCreate, {
      token: admin.accessToken,
      variables: { input: { name: "Nothing", permissions: [] } },
    });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "permissions" });
  });

  it("lets an API key limited to INVENTORY adjust stock, but not change a product or read customers", async () => {
    const { apiKeyCreate: created } = await asAdmin(apiKeyCreate, {
      input: { name: "Warehouse system", permissions: ["INVENTORY"] },
    });
    const key = created.key as string;
    expect(key).toMatch(/^sk_live_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(created.apiKey.keyPrefix)).toBe(true);
    expect(created.apiKey).toMatchObject({
      name: "Warehouse system",
      permissions: ["INVENTORY"],
      requestsPerMinute: 600,
      createdById: admin.user.id,
      lastUsedAt: null,
      revokedAt: null,
    });

    const { adjustStock: adjusted } = await graphqlData(url, adjustStock, {
      token: key,
      variables: { input: { productId: product.id, delta: 3, reason: "delivery from the ERP" } },
    });
    expect(adjusted.onHand).toBeGreaterThanOrEqual(3);
    expect(await codeOf(stockDetail, key, { id: product.id })).toBeUndefined();
    expect(await codeOf(updateProduct, key, { id: product.id, input: { name: "Renamed by a key" } })).toBe("FORBIDDEN");
    expect(await codeOf(readCustomer, key, { id: admin.user.id })).toBe("FORBIDDEN");
    expect(await codeOf(apiKeyCreate, key, { input: { name: "child", permissions: ["INVENTORY"] } })).toBe("FORBIDDEN");

    const listed = await asAdmin(apiKeys, {});
    const record = listed.apiKeys.edges
      .map((edge: { node: { id: string } }) => edge.node)
      .find((node: { id: string }) => node.id === created.apiKey.id);
    expect(record.lastUsedAt).not.toBeNull();
    const event = await waitFor(
      () => tap.received.find((each: any) => each.data?.apiKeyId === created.apiKey.id),
      "the key's event",
    );
    expect(event).toMatchObject({
      type: "users.api_key.created",
      data: { apiKeyId: created.apiKey.id, permissions: ["INVENTORY"], createdById: admin.user.id },
    });
  });

  it("never shows a key's secret again: not in the API, the events, nor the database", async () => {
    const { apiKeyCreate: created } = await asAdmin(apiKeyCreate, {
      input: { name: "Never again", permissions: ["CATALOG"] },
    });
    const secret = (created.key as string).slice(-43);
    const { __type } = await graphqlData(url, `{ __type(name: "ApiKey") { fields { name } } }`);
    expect(__type.fields.map((field: { name: string }) => field.name).sort()).toEqual(
      [
        "createdAt",
        "createdById",
        "id",
        "keyPrefix",
        "lastUsedAt",
        "name",
        "permissions",
        "requestsPerMinute",
        "revokedAt",
      ].sort(),
    );
    const everything = JSON.stringify(await asAdmin(apiKeys, { revoked: true }));
    expect(everything).not.toContain(secret);
    await waitFor(
      () => tap.received.find((event: any) => event.data?.apiKeyId === created.apiKey.id),
      "the key's event",
    );
    expect(JSON.stringify(tap.received)).not.toContain(secret);
    const rows = await services.users.runtime.db.$queryRaw<Array<Record<string, unknown>>>`
      SELECT * FROM api_keys WHERE id = ${created.apiKey.id}::uuid`;
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(secret);
  });

  it("stops a revoked key at once, at the router and at every subgraph", async () => {
    const { apiKeyCreate: created } = await asAdmin(apiKeyCreate, {
      input: { name: "Soon revoked", permissions: ["INVENTORY", "CATALOG"] },
    });
    const key = created.key as string;
    // Straight to each subgraph (signed as the router signs): each checks the key itself.
    const stockEntity = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { stock { onHand } } } }`;
    const direct = (service: "users" | "products" | "inventory" | "payments") =>
      service === "inventory"
        ? graphql(services.inventory.url, stockEntity, {
            token: key,
            variables: { r: [{ __typename: "Product", id: product.id }] },
          })
        : graphql(
            services[service].url,
            `
              {
                __typename
              }
            `,
            { token: key },
          );
    const { _entities } = await graphqlData(services.inventory.url, stockEntity, {
      token: key,
      variables: { r: [{ __typename: "Product", id: product.id }] },
    });
    expect(_entities[0].stock.onHand).toEqual(expect.any(Number));
    for (const service of ["users", "products", "payments"] as const)
      expect((await direct(service)).errors).toBeUndefined();
    expect(await codeOf(stockDetail, key, { id: product.id })).toBeUndefined();

    const { apiKeyRevoke: revoked } = await asAdmin(apiKeyRevoke, { id: created.apiKey.id });
    expect(revoked.revokedAt).not.toBeNull();
    expect(await codeOf(stockDetail, key, { id: product.id })).toBe("UNAUTHENTICATED");
    for (const service of ["users", "products", "inventory", "payments"] as const)
      expect((await direct(service)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // A key with a wrong secret is no better than a revoked one.
    const { apiKeyCreate: other } = await asAdmin(apiKeyCreate, { input: { name: "Other", permissions: ["CATALOG"] } });
    const forged = `${(other.key as string).slice(0, -43)}${"A".repeat(43)}`;
    expect(await codeOf(stockDetail, forged, { id: product.id })).toBe("UNAUTHENTICATED");
    await waitFor(
      () => tap.received.find((event: any) => event.type === "users.api_key.revoked"),
      "the revocation event",
    );
    const listed = await asAdmin(apiKeys, {});
    expect(JSON.stringify(listed)).not.toContain(created.apiKey.id);
  });

  it("rate limits a key on its own budget, whatever other clients do", async () => {
    const { apiKeyCreate: created } = await asAdmin(apiKeyCreate, {
      input: { name: "Chatty integration", permissions: ["INVENTORY"], requestsPerMinute: 3 },
    });
    // Seven requests in a row span at most two of the key's one-minute windows, so at least one
    // window sees more than three of them.
    const answers: Array<Record<string, unknown> | undefined> = [];
    for (let i = 0; i < 7; i++)
      answers.push(
        (await graphql(url, stockDetail, { token: created.key, variables: { id: product.id } })).errors?.[0]
          ?.extensions,
      );
    const served = answers.filter((extensions) => extensions === undefined).length;
    const limited = answers.filter((extensions) => extensions?.code === "RATE_LIMITED");
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited.length + served).toBe(7);
    expect(served).toBeGreaterThanOrEqual(3);
    expect(served).toBeLessThanOrEqual(6);
    expect(limited[0]?.retryAfter).toEqual(expect.any(Number));
    // The admin is counted apart.
    expect(await codeOf(stockDetail, admin.accessToken, { id: product.id })).toBeUndefined();
  });
});
