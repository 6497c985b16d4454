import { randomUUID } from "node:crypto";
import { MigrationHistory } from "../../test/support/migrationHistory";
import { newTestId } from "../../test/support/testNames";

describe("users: the privacy-requests migration keeps every row", () => {
  let history: MigrationHistory;

  beforeAll(async () => {
    history = await MigrationHistory.open("users", newTestId());
    await history.applyUntil("privacy_requests");
  });

  afterAll(() => history?.close());

  it("leaves existing accounts as they were (none erased), and allows one open request per user and kind", async () => {
    const db = history.client;
    const user = randomUUID();
    await db.query(
      `INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at)
       VALUES ($1, 'kept@example.com', 'Kept Customer', 'scrypt$14$8$1$x$y', '{CUSTOMER}', '2026-01-02T03:04:05Z', now())`,
      [user],
    );
    await db.query(
      `INSERT INTO addresses (id, user_id, line1, city, postal_code, country, is_default) VALUES ($1, $2, '1 Main St', 'Springfield', '12345', 'US', true)`,
      [randomUUID(), user],
    );

    await history.apply("privacy_requests");

    expect((await db.query(`SELECT email, name, erased_at FROM users`)).rows).toEqual([
      { email: "kept@example.com", name: "Kept Customer", erased_at: null },
    ]);
    expect((await db.query(`SELECT count(*)::int AS n FROM addresses`)).rows[0].n).toBe(1);

    const insert = (kind: string, status: string) =>
      db.query(
        `INSERT INTO privacy_requests (id, user_id, kind, status, requested_by) VALUES ($1, $2, $3::"PrivacyRequestKind", $4::"PrivacyRequestStatus", $2)`,
        [randomUUID(), user, kind, status],
      );
    await insert("EXPORT", "COMPLETED");
    await insert("EXPORT", "PENDING");
    await insert("ERASURE", "PENDING");
    await expect(insert("EXPORT", "PENDING")).rejects.toThrow(/privacy_requests_one_pending/);
  });
});
