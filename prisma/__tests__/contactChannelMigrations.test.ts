import { randomUUID } from "node:crypto";
import { MigrationHistory } from "../../test/support/migrationHistory";
import { newTestId } from "../../test/support/testNames";

describe("users: the sign-in and contact-channels migration keeps every row", () => {
  let history: MigrationHistory;

  beforeAll(async () => {
    history = await MigrationHistory.open("users", newTestId());
    await history.applyUntil("accounts_oidc_contact_channels");
  });

  afterAll(() => history?.close());

  it("keeps users, their passwords, sessions and addresses; new accounts may have no password", async () => {
    const db = history.client;
    const user = randomUUID();
    await db.query(
      `INSERT INTO users (id, email, name, password_hash, roles, email_verified_at, created_at, updated_at)
       VALUES ($1, 'kept@example.com', 'Kept', 'scrypt$14$8$1$salt$hash', '{CUSTOMER}', '2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z', now())`,
      [user],
    );
    await db.query(`INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [
      randomUUID(),
      user,
    ]);
    await db.query(
      `INSERT INTO addresses (id, user_id, line1, city, postal_code, country, is_default) VALUES ($1, $2, '1 Main St', 'Springfield', '12345', 'US', true)`,
      [randomUUID(), user],
    );

    await history.apply("accounts_oidc_contact_channels");

    expect((await db.query(`SELECT email, password_hash, email_verified_at, phone_number FROM users`)).rows).toEqual([
      {
        email: "kept@example.com",
        password_hash: "scrypt$14$8$1$salt$hash",
        email_verified_at: new Date("2026-02-01T00:00:00Z"),
        phone_number: null,
      },
    ]);
    expect((await db.query(`SELECT count(*)::int AS n FROM sessions`)).rows[0].n).toBe(1);
    expect((await db.query(`SELECT count(*)::int AS n FROM addresses`)).rows[0].n).toBe(1);
    await db.query(
      `INSERT INTO users (id, email, name, roles, updated_at) VALUES ($1, 'no-password@example.com', 'Federated', '{CUSTOMER}', now())`,
      [randomUUID()],
    );
    await db.query(
      `INSERT INTO oidc_identities (id, user_id, provider, issuer, subject) VALUES ($1, $2, 'google', 'https://accounts.google.com', '1')`,
      [randomUUID(), user],
    );
    await expect(
      db.query(
        `INSERT INTO oidc_identities (id, user_id, provider, issuer, subject) VALUES ($1, $2, 'google', 'https://accounts.google.com', '2')`,
        [randomUUID(), user],
      ),
    ).rejects.toThrow(/oidc_identities_user_id_issuer_key/);
  });
});

describe("notifications: the contact-channels and templates migration keeps every row", () => {
  let history: MigrationHistory;

  beforeAll(async () => {
    history = await MigrationHistory.open("notifications", newTestId());
    await history.applyUntil("contact_channels_templates");
  });

  afterAll(() => history?.close());

  it("keeps notifications, preferences and the users read model; no template is customized", async () => {
    const db = history.client;
    const user = randomUUID();
    await db.query(
      `INSERT INTO known_users (user_id, email, name, is_admin, facts_at) VALUES ($1, 'kept@example.com', 'Kept', false, now())`,
      [user],
    );
    await db.query(
      `INSERT INTO notification_preferences (user_id, email, sms, push, order_updates, marketing, updated_at) VALUES ($1, false, true, false, true, false, now())`,
      [user],
    );
    await db.query(
      `INSERT INTO notifications (id, user_id, channel, kind, subject, body, recipient, delivery_status, source_event_id)
       VALUES ($1, $2, 'SMS', 'ORDER_CONFIRMED', 'Order confirmed', 'Thanks', $3, 'PENDING', $4)`,
      [randomUUID(), user, `user:${user}`, randomUUID()],
    );

    await history.apply("contact_channels_templates");

    expect((await db.query(`SELECT email, phone_number, contact_facts_at FROM known_users`)).rows).toEqual([
      { email: "kept@example.com", phone_number: null, contact_facts_at: null },
    ]);
    expect((await db.query(`SELECT email, sms FROM notification_preferences`)).rows).toEqual([
      { email: false, sms: true },
    ]);
    expect((await db.query(`SELECT recipient, delivery_status FROM notifications`)).rows).toEqual([
      { recipient: `user:${user}`, delivery_status: "PENDING" },
    ]);
    for (const table of [
      "notification_kind_preferences",
      "notification_templates",
      "notification_template_versions",
      "known_push_devices",
    ]) {
      expect([table, (await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n]).toEqual([table, 0]);
    }
  });
});
