import { randomUUID } from "node:crypto";
import { MigrationHistory } from "../../test/support/migrationHistory";
import { newTestId } from "../../test/support/testNames";

describe("users: the staff roles and API keys migration keeps every row", () => {
  let history: MigrationHistory;

  beforeAll(async () => {
    history = await MigrationHistory.open("users", newTestId());
    await history.applyUntil("staff_roles_api_keys");
  });

  afterAll(() => history?.close());

  it("keeps users, their roles and sessions; nobody holds a staff role and no API key exists", async () => {
    const db = history.client;
    const admin = randomUUID();
    const customer = randomUUID();
    await db.query(
      `INSERT INTO users (id, email, name, password_hash, roles, updated_at)
       VALUES ($1, 'admin@example.com', 'Admin', 'scrypt$hash', '{CUSTOMER,ADMIN}', now()),
              ($2, 'kept@example.com', 'Kept', 'scrypt$other', '{CUSTOMER}', now())`,
      [admin, customer],
    );
    const session = randomUUID();
    await db.query(`INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [
      session,
      customer,
    ]);

    await history.apply("staff_roles_api_keys");

    expect((await db.query(`SELECT id, email, password_hash, roles FROM users ORDER BY email`)).rows).toEqual([
      { id: admin, email: "admin@example.com", password_hash: "scrypt$hash", roles: "{CUSTOMER,ADMIN}" },
      { id: customer, email: "kept@example.com", password_hash: "scrypt$other", roles: "{CUSTOMER}" },
    ]);
    expect((await db.query(`SELECT id FROM sessions`)).rows).toEqual([{ id: session }]);
    for (const table of ["staff_roles", "user_staff_roles", "api_keys"])
      expect([table, (await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n]).toEqual([table, 0]);

    const role = randomUUID();
    await db.query(
      `INSERT INTO staff_roles (id, name, permissions, updated_at) VALUES ($1, 'Catalog manager', '{CATALOG}', now())`,
      [role],
    );
    await db.query(`INSERT INTO user_staff_roles (user_id, role_id, assigned_by) VALUES ($1, $2, $3)`, [
      customer,
      role,
      admin,
    ]);
    // A user's staff roles go with the account, and a role's holders with the role.
    await db.query(`DELETE FROM staff_roles WHERE id = $1`, [role]);
    expect((await db.query(`SELECT count(*)::int AS n FROM user_staff_roles`)).rows[0].n).toBe(0);
  });
});
