import { randomUUID } from "node:crypto";
import type pg from "pg";
import { createEnvelope, type EventEnvelope } from "../../../subgraphs/common/events/envelope";
import { recordSentStatements, uncountedClient, type SentStatement } from "../../support/sqlCounter";
import { SmtpTestServer } from "../../support/smtpTestServer";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

/** Periodic work that is no batch's own: the outbox relay's polls, readiness probes. */
const poll = /published_at IS NULL|^SELECT 1$|outbox_backlog|count\(\*\) AS pending/i;
/** The delivery worker's claim of due messages (every tick, found or not). */
const claim = /^WITH claimed AS \(\s*UPDATE notifications SET next_attempt_at/;
/** The record of a batch of tries. */
const record = /^UPDATE notifications n\s+SET delivery_status/;

const head = (statement: SentStatement) => statement.text.split(/\s+/).slice(0, 3).join(" ");

/**
 * The statements of the notifications service for a batch of order events, counted where they
 * are sent (every `pg` connection of the process, Prisma's and the service's own SQL alike): in
 * the consumer's transaction two per batch (one read of recipients, preferences and templates,
 * one insert of every message) whatever its events, recipients and channels, and one statement
 * to record a batch of deliveries, so an N+1 that creeps in fails here. Set SQL_COUNT_REPORT=1 to
 * print them.
 */
describe("the statements of notifications per batch of order events", () => {
  let smtp: SmtpTestServer;
  let services: TestServices<"notifications">;
  let database: string;
  let probe: pg.Client;

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
    services = await startServices(["notifications"], {
      router: false,
      settings: {
        notifications: {
          SMTP_URL: smtp.url,
          MAIL_FROM: "Commerce <no-reply@shop.test>",
          NOTIFICATION_WORKER_INTERVAL_MS: "100",
        },
      },
    });
    database = new URL(services.notifications.runtime.databaseUrl).pathname.slice(1);
    probe = await uncountedClient(services.notifications.runtime.databaseUrl);
  }, 400_000);

  afterAll(async () => {
    await probe?.end();
    await services?.cleanUp();
    await smtp?.pause();
  });

  /** A guest's order confirmed: its messages go to the email it was placed with. */
  const confirmed = (index: number): EventEnvelope<"orders.order.status_changed"> =>
    createEnvelope("orders", {
      type: "orders.order.status_changed",
      data: {
        orderId: randomUUID(),
        number: `C-${index}`,
        customerId: randomUUID(),
        from: "AWAITING_PAYMENT",
        status: "CONFIRMED",
        cancellationReason: null,
        reason: null,
        total: { amount: "3.00", currency: "EUR" },
        lines: [
          { productId: randomUUID(), name: "Counted", quantity: 1, unitPrice: { amount: "3.00", currency: "EUR" } },
        ],
        shipment: null,
        at: new Date().toISOString(),
        guestEmail: `counted-${index}-${randomUUID().slice(0, 8)}@example.com`,
      },
    });

  const pending = async () =>
    Number(
      (await probe.query<{ count: string }>("SELECT count(*) FROM notifications WHERE delivery_status = 'PENDING'"))
        .rows[0]!.count,
    );

  /** No event waits for or is in the hands of a consumer of the service, and no message waits to be sent. */
  async function quiet(): Promise<boolean> {
    const { jsm, consumers } = services.notifications.runtime;
    for (const consumer of consumers) {
      for (const durable of consumer.durables) {
        const info = await jsm.consumers.info(consumer.stream, durable.name);
        if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
      }
    }
    return (await pending()) === 0;
  }

  /** The statements of the transaction (BEGIN to COMMIT, on its connection) that sent a statement like `marker`. */
  function transactionOf(statements: readonly SentStatement[], marker: RegExp): SentStatement[] {
    const at = statements.findIndex((each) => marker.test(each.text));
    const connection = statements[at]!.connection;
    const mine = statements.filter((each) => each.connection === connection);
    const index = mine.indexOf(statements[at]!);
    const begin = mine.map((each) => each.text).lastIndexOf("BEGIN", index);
    const commit = mine.findIndex((each, position) => position > index && each.text === "COMMIT");
    return mine.slice(begin, commit + 1);
  }

  function report(title: string, statements: readonly SentStatement[]) {
    if (!process.env.SQL_COUNT_REPORT) return;
    console.log(
      `${title}\n${statements.map((each) => `  ${each.text.replace(/\s+/g, " ").slice(0, 140)}`).join("\n")}`,
    );
  }

  it("applies a batch of order events in two statements each, and records its emails in one", async () => {
    const consumer = services.notifications.runtime.consumers.find(
      (each) => each.name === "notifications__orders_order_status_changed",
    )!;
    // Nothing of the start (the seeded admin's registration and welcome) is still being handled or sent.
    await waitFor(
      async () => ((await probe.query("SELECT 1 FROM known_users WHERE is_admin")).rowCount ?? 0) > 0,
      "the seeded admin to be known",
    );
    await waitFor(quiet, "every event of the start handled and every message sent");
    const counts: Array<{ events: number; inTransaction: number; records: number }> = [];
    for (const size of [1, 5]) {
      const events = Array.from({ length: size }, (_, index) => confirmed(index));
      const { result: outcomes, statements } = await recordSentStatements(async () => {
        const applied = await consumer.applyBatch(events);
        // Applied outside the consumer's subscription: the events were never published.
        for (const event of events) {
          const address = (event.data as { guestEmail: string }).guestEmail;
          await waitFor(() => smtp.to(address).length > 0, `the confirmation to ${address}`);
        }
        await waitFor(async () => (await pending()) === 0, "every email recorded as sent");
        return applied;
      });
      expect(outcomes).toEqual(events.map(() => "applied"));
      const ours = statements.filter((each) => each.database === database && !poll.test(each.text));
      report(`a batch of ${size} order event(s)`, ours);
      const inTransaction = transactionOf(ours, /^INSERT INTO processed_event/i);
      // The applied events' ids, then the batch's one read and one insert, and no outbox (nothing emitted).
      expect(inTransaction.map(head).slice(0, 2)).toEqual(["BEGIN", "INSERT INTO processed_event"]);
      expect(inTransaction.map(head).slice(2)).toEqual(["WITH wanted AS", "WITH inserted AS", "COMMIT"]);
      // Outside it, only the delivery worker: claims, and one record of the batch of emails sent.
      const outside = ours.filter((each) => !inTransaction.includes(each));
      expect(outside.filter((each) => !claim.test(each.text) && !record.test(each.text)).map(head)).toEqual([]);
      const records = outside.filter((each) => record.test(each.text)).length;
      expect(records).toBe(1);
      counts.push({ events: size, inTransaction: inTransaction.length, records });
    }
    expect(counts).toEqual([
      { events: 1, inTransaction: 5, records: 1 },
      { events: 5, inTransaction: 5, records: 1 },
    ]);
    // What was written: in-app SENT, the email SENT to the order's address, SMS and push SKIPPED.
    const { rows } = await probe.query<{ channel: string; delivery_status: string; n: string }>(
      `SELECT channel::text, delivery_status::text, count(*) AS n FROM notifications WHERE kind = 'ORDER_CONFIRMED'
        GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(rows.map((row) => [row.channel, row.delivery_status, Number(row.n)])).toEqual([
      ["EMAIL", "SENT", 6],
      ["IN_APP", "SENT", 6],
      ["PUSH", "SKIPPED", 6],
      ["SMS", "SKIPPED", 6],
    ]);
  });
});
