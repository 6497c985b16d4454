import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { databaseUrlFor } from "../../subgraphs/common/database/databaseUrl";
import { dropDatabase, ensureDatabase } from "../../subgraphs/common/database/provision";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { newTestId } from "../../test/support/testNames";

const migrations = path.join(projectRoot, "prisma", "orders", "migrations");
const added = "20261130191347_order_saved_payment_method";
const sqlOf = (folder: string) => readFileSync(path.join(migrations, folder, "migration.sql"), "utf8");

/** Orders paying with a saved card: existing orders keep their token and have no saved method. */
describe("orders' saved payment method migration", () => {
  const url = databaseUrlFor("orders", {
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

  it("keeps every order with its token, and no saved method", async () => {
    const earlier = readdirSync(migrations)
      .filter((folder) => /^\d+_/.test(folder) && folder < added)
      .sort();
    for (const folder of earlier) await client.query(sqlOf(folder));
    await client.query(`
      INSERT INTO orders (id, number, customer_id, status, currency, subtotal_minor, total_minor, shipping_address,
                          payment_token, payment_deadline, updated_at)
      VALUES ('11111111-1111-4111-8111-111111111111', 'K7M-4PQ2X', '33333333-3333-4333-8333-333333333333',
              'AWAITING_PAYMENT', 'USD', 2500, 2500, '{"line1": "12 Analytical Row"}', 'tok_visa', now(), now())`);

    await client.query(sqlOf(added));

    const { rows } = await client.query(
      `SELECT number, status::text, total_minor::text, payment_token, payment_method_id FROM orders`,
    );
    expect(rows).toEqual([
      {
        number: "K7M-4PQ2X",
        status: "AWAITING_PAYMENT",
        total_minor: "2500",
        payment_token: "tok_visa",
        payment_method_id: null,
      },
    ]);
  });
});
