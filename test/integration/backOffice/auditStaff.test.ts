import { createHash } from "node:crypto";
import type { AuditEntry } from "../../support/auditEntry";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const auditLog = `query AuditLog($filter: AuditLogFilter, $first: Int) {
  auditLog(filter: $filter, first: $first) {
    edges { node { id service actorKind actorId actor { id } entityType entityId action before after } }
  }
}`;

type Entry = AuditEntry;

/**
 * The audit log of staff roles, API keys and the rest of the back office (categories, product
 * options, stock locations), through the router: each change is entered with its actor, and a
 * change made with an API key is entered as that key's, never as a user's.
 */
describe("the audit log of roles, API keys and catalog structure", () => {
  let services: TestServices<"products" | "inventory">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory"]);
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
    // Three services and the router start on a machine other test files share.
  }, 400_000);

  afterAll(() => services?.cleanUp());

  const asAdmin = (query: string, variables: Record<string, unknown>) =>
    graphqlData(url, query, { token: admin.accessToken, variables });

  const entriesOf = async (filter: Record<string, unknown>): Promise<Entry[]> => {
    const { auditLog: page } = await asAdmin(auditLog, { filter, first: 100 });
    return page.edges.map((edge: { node: Entry }) => edge.node);
  };

  /** Waits for the entry of `action` on the entity (of `actorKind`) to reach the log; JSON read. */
  const entryFor = async (entityType: string, entityId: string, action: string, actorKind = "USER") => {
    const entry = await waitFor(
      async () =>
        (await entriesOf({ entityType, entityId })).find(
          (each) => each.action === action && each.actorKind === actorKind,
        ),
      `the ${action} entry of ${entityType} ${entityId}`,
    );
    return { ...entry, before: JSON.parse(entry.before ?? "null"), after: JSON.parse(entry.after ?? "null") };
  };

  const byAdmin = (entry: Entry) =>
    expect(entry).toMatchObject({ actorKind: "USER", actorId: admin.user.id, actor: { id: admin.user.id } });

  it("records a staff role's creation, change, grant, withdrawal and deletion", async () => {
    const { roleCreate: role } = await asAdmin(
      `mutation($input: StaffRoleInput!) { roleCreate(input: $input) { id } }`,
      { input: { name: `Audited role ${Date.now()}`, description: "Catalog work", permissions: ["CATALOG"] } },
    );
    const created = await entryFor("STAFF_ROLE", role.id, "staff_role.created");
    byAdmin(created);
    expect(created.service).toBe("users");
    expect(created.before).toBeNull();
    expect(created.after).toMatchObject({ description: "Catalog work", permissions: ["CATALOG"] });

    await asAdmin(`mutation($id: ID!, $input: StaffRoleUpdateInput!) { roleUpdate(id: $id, input: $input) { id } }`, {
      id: role.id,
      input: { permissions: ["CATALOG", "INVENTORY"] },
    });
    const updated = await entryFor("STAFF_ROLE", role.id, "staff_role.updated");
    byAdmin(updated);
    expect(updated.before.permissions).toEqual(["CATALOG"]);
    expect(updated.after.permissions).toEqual(["CATALOG", "INVENTORY"]);

    const person = await registerCustomer(url, { name: "Audited Staff" });
    const held = `mutation($userId: ID!, $roleId: ID!) { staffRoleAssign(userId: $userId, roleId: $roleId) { id } }`;
    await asAdmin(held, { userId: person.user.id, roleId: role.id });
    const assigned = await entryFor("USER", person.user.id, "staff_role.assigned");
    byAdmin(assigned);
    expect(assigned.before).toEqual({ roleId: role.id, staffRoles: [] });
    expect(assigned.after.staffRoles).toEqual([
      expect.objectContaining({ id: role.id, permissions: ["CATALOG", "INVENTORY"] }),
    ]);
    // Giving a role already held changes nothing, so it enters nothing.
    await asAdmin(held, { userId: person.user.id, roleId: role.id });

    await asAdmin(`mutation($userId: ID!, $roleId: ID!) { staffRoleRevoke(userId: $userId, roleId: $roleId) { id } }`, {
      userId: person.user.id,
      roleId: role.id,
    });
    const revoked = await entryFor("USER", person.user.id, "staff_role.revoked");
    byAdmin(revoked);
    expect(revoked.after).toEqual({ roleId: role.id, staffRoles: [] });
    expect((await entriesOf({ entityType: "USER", entityId: person.user.id })).map((each) => each.action)).toEqual([
      "staff_role.revoked",
      "staff_role.assigned",
    ]);

    await asAdmin(`mutation($id: ID!) { roleDelete(id: $id) }`, { id: role.id });
    const deleted = await entryFor("STAFF_ROLE", role.id, "staff_role.deleted");
    byAdmin(deleted);
    expect(deleted.before).toMatchObject({ permissions: ["CATALOG", "INVENTORY"], holderIds: [] });
    expect(deleted.after).toBeNull();
  });

  it("records an API key's creation and revocation without its secret, and its stock change as the key's", async () => {
    const { apiKeyCreate: created } = await asAdmin(
      `mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { key apiKey { id } } }`,
      { input: { name: "Audited warehouse", permissions: ["INVENTORY"], requestsPerMinute: 120 } },
    );
    const key = created.key as string;
    const keyId = created.apiKey.id as string;
    const secret = key.slice(key.lastIndexOf("_") + 1);
    const secretHash = createHash("sha256").update(secret).digest("hex");
    const neverTheSecret = (entry: Entry) => {
      const stored = `${entry.before ?? ""}${entry.after ?? ""}`;
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(secretHash);
      expect(stored).not.toMatch(/secret|hash/i);
    };

    const made = await entryFor("API_KEY", keyId, "api_key.created");
    byAdmin(made);
    expect(made.before).toBeNull();
    expect(made.after).toMatchObject({
      name: "Audited warehouse",
      permissions: ["INVENTORY"],
      requestsPerMinute: 120,
      revokedAt: null,
    });
    neverTheSecret((await entriesOf({ entityType: "API_KEY", entityId: keyId }))[0]!);

    // The key moves stock: the entry names the key, not a user.
    const product = await build.product({ name: "Key-counted Crate", price: "4.00", stock: 5 });
    const variantId = product.defaultVariant.id as string;
    await graphqlData(url, `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { onHand } }`, {
      token: key,
      variables: { input: { variantId, delta: 3, reason: "warehouse recount" } },
    });
    const moved = await entryFor("STOCK_LEVEL", variantId, "stock.adjusted", "API_KEY");
    expect(moved).toMatchObject({ service: "inventory", actorKind: "API_KEY", actorId: keyId, actor: null });
    expect(moved.before).toMatchObject({ onHand: 5 });
    expect(moved.after).toMatchObject({ onHand: 8 });
    expect((await entriesOf({ actorId: keyId })).map((each) => each.id)).toEqual([moved.id]);

    await asAdmin(`mutation($id: ID!) { apiKeyRevoke(id: $id) { id } }`, { id: keyId });
    const revoked = await entryFor("API_KEY", keyId, "api_key.revoked");
    byAdmin(revoked);
    expect(revoked.before).toMatchObject({ revokedAt: null, revokedById: null });
    expect(revoked.after).toMatchObject({ name: "Audited warehouse", revokedById: admin.user.id });
    expect(revoked.after.revokedAt).toEqual(expect.any(String));
    for (const entry of await entriesOf({ entityType: "API_KEY", entityId: keyId })) neverTheSecret(entry);
  });

  it("records categories, product options and stock locations", async () => {
    const slug = `audited-${Date.now()}`;
    const { createCategory: category } = await asAdmin(
      `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }`,
      { input: { name: "Audited", slug } },
    );
    const made = await entryFor("CATEGORY", category.id, "category.created");
    byAdmin(made);
    expect(made).toMatchObject({ service: "products", after: { name: "Audited", slug, parentId: null } });
    await asAdmin(
      `mutation($id: ID!, $input: CategoryUpdateInput!) { categoryUpdate(id: $id, input: $input) { id } }`,
      {
        id: category.id,
        input: { name: "Audited Goods" },
      },
    );
    const renamed = await entryFor("CATEGORY", category.id, "category.updated");
    expect(renamed.before).toMatchObject({ name: "Audited" });
    expect(renamed.after).toMatchObject({ name: "Audited Goods", slug });
    await asAdmin(`mutation($id: ID!) { categoryDelete(id: $id) }`, { id: category.id });
    const removed = await entryFor("CATEGORY", category.id, "category.deleted");
    expect(removed.before).toMatchObject({ name: "Audited Goods", productCount: 0 });

    const product = await build.product({ name: "Optioned Shirt", price: "15.00" });
    await asAdmin(
      `mutation($id: ID!, $options: [ProductOptionInput!]!) { productOptionsSet(productId: $id, options: $options) { id } }`,
      { id: product.id, options: [{ name: "Size", values: ["M", "L"] }] },
    );
    const options = await entryFor("PRODUCT", product.id, "product.options_set");
    byAdmin(options);
    expect(options.before.options).toEqual([]);
    expect(options.after.options).toEqual([{ name: "Size", values: ["M", "L"] }]);
    expect(options.after.variants).toEqual([expect.objectContaining({ id: product.defaultVariant.id, title: "M" })]);

    const { stockLocationCreate: location } = await asAdmin(
      `mutation($input: StockLocationCreateInput!) { stockLocationCreate(input: $input) { id } }`,
      { input: { name: `Audited depot ${Date.now()}`, priority: 50 } },
    );
    const opened = await entryFor("STOCK_LOCATION", location.id, "stock_location.created");
    byAdmin(opened);
    expect(opened).toMatchObject({ service: "inventory", after: { active: true, priority: 50 } });
    await asAdmin(
      `mutation($id: ID!, $input: StockLocationUpdateInput!) { stockLocationUpdate(id: $id, input: $input) { id } }`,
      { id: location.id, input: { active: false } },
    );
    const closed = await entryFor("STOCK_LOCATION", location.id, "stock_location.updated");
    expect(closed.before).toMatchObject({ active: true });
    expect(closed.after).toMatchObject({ active: false, priority: 50 });
  });
});
