import { randomUUID } from "node:crypto";
import { MigrationHistory } from "../../test/support/migrationHistory";
import { newTestId } from "../../test/support/testNames";

const clearToken = "Q2xlYXJUb2tlbkZyb21CZWZvcmVTZWFsaW5nLTAwMDAwMDAwMDA";

describe("users: the email-verification migration keeps every row", () => {
  let history: MigrationHistory;

  beforeAll(async () => {
    history = await MigrationHistory.open("users", newTestId());
    await history.applyUntil("email_verification");
  });

  afterAll(() => history?.close());

  it("starts existing customers unverified, counts admins verified, and scrubs clear reset tokens from the outbox", async () => {
    const db = history.client;
    const customer = randomUUID();
    const admin = randomUUID();
    await db.query(
      `INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at) VALUES
         ($1, 'old-customer@example.com', 'Old Customer', 'scrypt$14$8$1$x$y', '{CUSTOMER}', '2026-01-02T03:04:05Z', now()),
         ($2, 'old-admin@example.com', 'Old Admin', 'scrypt$14$8$1$x$y', '{CUSTOMER,ADMIN}', '2026-01-01T00:00:00Z', now())`,
      [customer, admin],
    );
    await db.query(
      `INSERT INTO password_reset_tokens (id, user_id, token_hash, expires_at) VALUES ($1, $2, 'hash-of-a-reset', now() + interval '1 hour')`,
      [randomUUID(), customer],
    );
    await db.query(
      `INSERT INTO addresses (id, user_id, line1, city, postal_code, country, is_default) VALUES ($1, $2, '1 Main St', 'Springfield', '12345', 'US', true)`,
      [randomUUID(), customer],
    );
    const envelope = {
      id: randomUUID(),
      type: "users.password_reset.requested",
      data: {
        userId: customer,
        email: "old-customer@example.com",
        name: "Old Customer",
        token: clearToken,
        expiresAt: "2026-01-02T04:00:00.000Z",
      },
    };
    await db.query(
      `INSERT INTO outbox_event (id, type, envelope, occurred_at, published_at) VALUES ($1, $2, $3, now(), now()), ($4, 'users.user.registered', $5, now(), NULL)`,
      [envelope.id, envelope.type, envelope, randomUUID(), { type: "users.user.registered", data: { userId: admin } }],
    );

    await history.apply("email_verification");

    const users = await db.query(`SELECT id, email_verified_at, created_at FROM users ORDER BY email`);
    expect(users.rows).toEqual([
      { id: admin, email_verified_at: new Date("2026-01-01T00:00:00Z"), created_at: new Date("2026-01-01T00:00:00Z") },
      { id: customer, email_verified_at: null, created_at: new Date("2026-01-02T03:04:05Z") },
    ]);
    expect((await db.query(`SELECT revoked_at FROM password_reset_tokens`)).rows).toEqual([{ revoked_at: null }]);
    expect((await db.query(`SELECT count(*)::int AS n FROM addresses`)).rows[0].n).toBe(1);
    const outbox = await db.query(`SELECT type, envelope FROM outbox_event ORDER BY seq`);
    expect(outbox.rows).toHaveLength(2);
    expect(JSON.stringify(outbox.rows)).not.toContain(clearToken);
    expect(outbox.rows[0].envelope.data).toEqual({
      userId: customer,
      email: "old-customer@example.com",
      name: "Old Customer",
      expiresAt: "2026-01-02T04:00:00.000Z",
    });
    expect((await db.query(`SELECT count(*)::int AS n FROM email_tokens`)).rows[0].n).toBe(0);
  });
});

describe("notifications: the sealed-secrets migration keeps every row", () => {
  let history: MigrationHistory;

  beforeAll(async () => {
    history = await MigrationHistory.open("notifications", newTestId());
    await history.applyUntil("sealed_secrets");
  });

  afterAll(() => history?.close());

  it("removes clear reset tokens from stored messages, withdraws unsent ones, and leaves the others as they were", async () => {
    const db = history.client;
    const user = randomUUID();
    const event = randomUUID();
    const link = `https://shop.example/reset-password?token=${clearToken}`;
    const insert = (kind: string, channel: string, status: string, body: string, html: string | null) =>
      db.query(
        `INSERT INTO notifications (id, user_id, channel, kind, subject, body, html, delivery_status, source_event_id, next_attempt_at)
         VALUES ($1, $2, $3::"NotificationChannel", $4, 'subject', $5, $6, $7::"DeliveryStatus", $8, now())`,
        [randomUUID(), user, channel, kind, body, html, status, kind === "PASSWORD_RESET" ? event : randomUUID()],
      );
    await insert("PASSWORD_RESET", "EMAIL", "PENDING", `open ${link} now`, `<a href="${link}">this link</a>`);
    await insert("PASSWORD_RESET", "SMS", "SKIPPED", `open ${link} now`, null);
    await insert("PASSWORD_RESET", "IN_APP", "SENT", "A password reset was requested.", null);
    await insert("WELCOME", "EMAIL", "PENDING", "Hello", "<p>Hello</p>");

    await history.apply("sealed_secrets");

    const rows = await db.query(
      `SELECT kind, channel, body, html, delivery_status, status_reason, next_attempt_at, sealed_secret FROM notifications ORDER BY kind, channel::text`,
    );
    expect(rows.rows).toHaveLength(4);
    expect(JSON.stringify(rows.rows)).not.toContain(clearToken);
    const [resetEmail, resetInApp, resetSms, welcome] = rows.rows;
    expect(resetEmail).toMatchObject({
      channel: "EMAIL",
      body: "open https://shop.example/reset-password?token=[not kept] now",
      delivery_status: "FAILED",
      next_attempt_at: null,
      sealed_secret: null,
    });
    expect(resetEmail.status_reason).toMatch(/withdrawn/);
    expect(resetInApp).toMatchObject({
      channel: "IN_APP",
      body: "A password reset was requested.",
      delivery_status: "SENT",
    });
    expect(resetSms).toMatchObject({ channel: "SMS", delivery_status: "SKIPPED" });
    expect(welcome).toMatchObject({ kind: "WELCOME", body: "Hello", delivery_status: "PENDING", sealed_secret: null });
    // One notification per event, user, channel and kind: an event may now tell one user two things by email.
    await db.query(
      `INSERT INTO notifications (id, user_id, channel, kind, subject, body, source_event_id) VALUES ($1, $2, 'EMAIL', 'EMAIL_CHANGE_NOTICE', 's', 'b', $3)`,
      [randomUUID(), user, event],
    );
  });
});
