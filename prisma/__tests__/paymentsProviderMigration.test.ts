import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { databaseUrlFor } from "../../subgraphs/common/database/databaseUrl";
import { dropDatabase, ensureDatabase } from "../../subgraphs/common/database/provision";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { newTestId } from "../../test/support/testNames";

const migrations = path.join(projectRoot, "prisma", "payments", "migrations");
const added = "20261130191337_payment_provider_stripe";
const sqlOf = (folder: string) => readFileSync(path.join(migrations, folder, "migration.sql"), "utf8");

/**
 * The migration that brought real providers to payments keeps every row of a database filled by
 * the previous schema: its payments are the simulated provider's, their attempts settled, and
 * nothing is due for reconciliation.
 */
describe("payments' provider migration", () => {
  const url = databaseUrlFor("payments", {
    POSTGRES_URL: process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
    DATABASE_PREFIX: `${newTestId()}_`,
  });
  let client: Client;

  beforeAll(async () => {
    await ensureDatabase(url);
    client = new Client({ connectionString: url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await dropDatabase(url);
  });

  it("keeps every payment, attempt and refund, as the simulated provider's and settled", async () => {
    const earlier = readdirSync(migrations)
      .filter((folder) => /^\d+_/.test(folder) && folder < added)
      .sort();
    expect(earlier.length).toBeGreaterThan(0);
    for (const folder of earlier) await client.query(sqlOf(folder));
    await client.query(`
      INSERT INTO payments (id, order_id, customer_id, status, amount_minor, refunded_minor, currency, payment_token,
                            capture_reference, deadline, attempt_count, updated_at)
      VALUES ('11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222',
              '33333333-3333-4333-8333-333333333333', 'PARTIALLY_REFUNDED', 5000, 1000, 'USD', 'tok_visa',
              'ch_0123456789abcdef', now(), 1, now()),
             ('44444444-4444-4444-8444-444444444444', '55555555-5555-4555-8555-555555555555',
              '33333333-3333-4333-8333-333333333333', 'PENDING', 700, 0, 'EUR', 'tok_unreachable', NULL, now(), 2, now());
      INSERT INTO payment_attempts (id, payment_id, kind, outcome, amount_minor, idempotency_key, provider_reference)
      VALUES ('66666666-6666-4666-8666-666666666666', '11111111-1111-4111-8111-111111111111', 'CAPTURE', 'SUCCEEDED', 5000,
              'capture:11111111-1111-4111-8111-111111111111', 'ch_0123456789abcdef'),
             ('77777777-7777-4777-8777-777777777777', '44444444-4444-4444-8444-444444444444', 'CAPTURE', 'TRANSIENT_ERROR', 700,
              'capture:44444444-4444-4444-8444-444444444444', NULL);
      INSERT INTO refunds (id, payment_id, amount_minor, reason, status, updated_at)
      VALUES ('88888888-8888-4888-8888-888888888888', '11111111-1111-4111-8111-111111111111', 1000, 'dented', 'SUCCEEDED', now());
    `);

    await client.query(sqlOf(added));

    const payments = await client.query(
      `SELECT id, status::text, amount_minor::text, refunded_minor::text, payment_token, capture_reference, provider,
              payment_method_id, next_action_type, next_action_secret, next_action_url
         FROM payments ORDER BY id`,
    );
    expect(payments.rows).toEqual([
      {
        id: "11111111-1111-4111-8111-111111111111",
        status: "PARTIALLY_REFUNDED",
        amount_minor: "5000",
        refunded_minor: "1000",
        payment_token: "tok_visa",
        capture_reference: "ch_0123456789abcdef",
        provider: "simulated",
        payment_method_id: null,
        next_action_type: null,
        next_action_secret: null,
        next_action_url: null,
      },
      {
        id: "44444444-4444-4444-8444-444444444444",
        status: "PENDING",
        amount_minor: "700",
        refunded_minor: "0",
        payment_token: "tok_unreachable",
        capture_reference: null,
        provider: "simulated",
        payment_method_id: null,
        next_action_type: null,
        next_action_secret: null,
        next_action_url: null,
      },
    ]);
    const attempts = await client.query(`SELECT id, outcome::text, next_attempt_at FROM payment_attempts ORDER BY id`);
    expect(attempts.rows).toEqual([
      { id: "66666666-6666-4666-8666-666666666666", outcome: "SUCCEEDED", next_attempt_at: null },
      { id: "77777777-7777-4777-8777-777777777777", outcome: "TRANSIENT_ERROR", next_attempt_at: null },
    ]);
    expect((await client.query(`SELECT status::text, amount_minor::text FROM refunds`)).rows).toEqual([
      { status: "SUCCEEDED", amount_minor: "1000" },
    ]);
    // The new statuses and outcomes are usable once the migration has committed.
    await client.query(
      `UPDATE payments SET status = 'REQUIRES_ACTION' WHERE id = '44444444-4444-4444-8444-444444444444'`,
    );
    await client.query(
      `UPDATE payment_attempts SET outcome = 'UNKNOWN' WHERE id = '77777777-7777-4777-8777-777777777777'`,
    );
  });
});
