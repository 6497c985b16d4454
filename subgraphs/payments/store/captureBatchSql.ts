import type { SqlExecutor } from "../../common/database/prismaOptions";
import { lockAllUntilCommit } from "../../common/database/advisoryLock";
import { sql, statement } from "../../common/database/sqlPool";
import type { EventEnvelope } from "../../common/events/envelope";
import { outboxInsertOf, outboxRows } from "../../common/events/outbox";
import {
  duePayments,
  dueRefunds,
  orderPaymentsLockKey,
  paymentChangeJson,
  paymentChangeSet,
  payments,
  type AttemptSettlement,
  type NewPayment,
  type PaymentChange,
  unsettledAttempts,
} from "./paymentStore";
import type { PaymentRecord } from "./records";

/**
 * The checkout's payment work for many orders at once, in named SQL on the service's pool:
 * opening a batch of requested payments (their order locks in one statement, the consumer's record
 * of the requests where it runs, every payment and ledger line in a second), taking the worker's
 * due work with the record of each capture call (one statement), and recording the provider's
 * answers with their events (one statement, no transaction). Rows are typed by hand.
 */

/**
 * `lockOrderPayments` for many orders, in key order (two batches sharing orders cannot
 * deadlock), in one statement of its own: what is read after it sees what the previous holder
 * of a lock committed. The consumer of payment requests takes them in the statement that records
 * the requests (`lockKeys`): then this sends nothing.
 */
export async function lockOrdersPayments(tx: SqlExecutor, orderIds: readonly string[]): Promise<void> {
  await lockAllUntilCommit(tx, orderIds.map(orderPaymentsLockKey));
}

/** A payment to open, with the provider a payment by token goes to and its ledger lines. */
export type PaymentToOpen = Omit<NewPayment, "provider"> & {
  /** The provider unless the saved method names its own. */
  defaultProvider: string;
  lines: ReadonlyArray<{ lineId: string; paidMinor: bigint }>;
};

const openManyStatement = statement(
  "payments.payment.openMany",
  `WITH input AS (
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
       "orderId" uuid, "customerId" uuid, "amountMinor" bigint, currency text, "paymentToken" text,
       "paymentMethodId" uuid, "defaultProvider" text, deadline timestamptz, lines jsonb, ord int)
   ), created AS (
     INSERT INTO payments (id, order_id, customer_id, amount_minor, currency, payment_token, payment_method_id, provider,
                           deadline, next_attempt_at, updated_at)
     SELECT gen_random_uuid(), i."orderId", i."customerId", i."amountMinor", i.currency, i."paymentToken",
            i."paymentMethodId",
            coalesce((SELECT m.provider FROM saved_payment_methods m WHERE m.id = i."paymentMethodId"), i."defaultProvider"),
            i.deadline, now(), clock_timestamp()
       FROM input i
      WHERE NOT EXISTS (SELECT 1 FROM order_closures c WHERE c.order_id = i."orderId")
      ORDER BY i.ord
     ON CONFLICT DO NOTHING
     RETURNING id, order_id
   ), lines AS (
     INSERT INTO payment_lines (payment_id, line_id, paid_minor)
     SELECT c.id, l."lineId", l."paidMinor"
       FROM created c JOIN input i ON i."orderId" = c.order_id,
            jsonb_to_recordset(i.lines) AS l("lineId" text, "paidMinor" bigint)
     ON CONFLICT DO NOTHING
   )
   SELECT count(*)::int AS opened FROM created`,
);

/**
 * Opens the payments of many orders, due at once, each with its refund ledger, in one statement
 * (under the orders' payment locks): none for an order closed before (`closeOrder`) or that has
 * its payment already; the first of two requests of one order wins. A payment with a saved card
 * goes to the provider the card was saved with. Answers how many were opened.
 */
export async function insertRequestedPayments(tx: SqlExecutor, requests: readonly PaymentToOpen[]): Promise<number> {
  const seen = new Set<string>();
  const input = requests
    .filter((request) => !seen.has(request.orderId) && seen.add(request.orderId))
    .map((request, ord) => ({
      ...request,
      ord,
      amountMinor: request.amountMinor.toString(),
      deadline: request.deadline.toISOString(),
      lines: request.lines.map((line) => ({ lineId: line.lineId, paidMinor: line.paidMinor.toString() })),
    }));
  if (input.length === 0) return 0;
  const [row] = await sql<{ opened: number }>(tx, openManyStatement, [JSON.stringify(input)]);
  return row?.opened ?? 0;
}

/** Due rows of a table, leased as `claimDue` leases them (`$1` rows at most, for `$2` seconds). */
const claimed = (table: string, pending: string, returning: string) =>
  `UPDATE ${table} SET next_attempt_at = now() + make_interval(secs => $2)
    WHERE id IN (SELECT id FROM ${table} WHERE ${pending} AND next_attempt_at <= now()
                  ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
   RETURNING ${returning}`;

const claimWorkStatement = statement(
  "payments.worker.claim",
  `WITH captures AS (
     ${claimed("payments", duePayments.pending, payments.columns)}
   ), attempt AS (
     INSERT INTO payment_attempts (id, payment_id, kind, outcome, amount_minor, idempotency_key, next_attempt_at)
     SELECT gen_random_uuid(), c.id::uuid, 'CAPTURE'::"AttemptKind", 'UNKNOWN'::"AttemptOutcome", c."amountMinor",
            'capture:' || c.id, $3::timestamptz
       FROM captures c
     RETURNING id::text AS id, payment_id::text AS "paymentId"
   ), refunds AS (
     ${claimed("refunds", dueRefunds.pending, "id::text AS id")}
   ), unsettled AS (
     ${claimed("payment_attempts", unsettledAttempts.pending, "id::text AS id")}
   )
   SELECT c.*, a.id AS "attemptId",
          (SELECT coalesce(array_agg(id), '{}') FROM refunds) AS "refundIds",
          (SELECT coalesce(array_agg(id), '{}') FROM unsettled) AS "unsettledIds"
     FROM (SELECT 1) AS one
     LEFT JOIN (captures c JOIN attempt a ON a."paymentId" = c.id) ON true`,
);

/** A capture about to be made: the payment as it was taken, and the record of the call. */
export interface BegunCapture {
  payment: PaymentRecord;
  attemptId: string;
}

/** What the payment worker took in one tick: captures begun, refunds to make, calls to reconcile. */
export interface ClaimedWork {
  captures: BegunCapture[];
  refundIds: string[];
  unsettledIds: string[];
}

/**
 * The worker's due work in one statement, each kind leased for `leaseMs` (as `claimDue` leases,
 * up to `limit` of each): the due captures (PENDING payments at their `next_attempt_at`), each
 * with the record of the call about to be made (UNKNOWN, under the payment's capture key,
 * reconciled at `reconcileAt` if its answer is never recorded); the due refunds; and the calls
 * due for reconciliation (a call recorded here is not among them: it is not due yet). It was
 * three claims and a statement per capture.
 */
export async function claimPaymentWork(
  db: SqlExecutor,
  options: { limit: number; leaseMs: number; reconcileAt: Date },
): Promise<ClaimedWork> {
  type Row = Partial<PaymentRecord> & { attemptId: string | null; refundIds: string[]; unsettledIds: string[] };
  const rows = await sql<Row>(db, claimWorkStatement, [options.limit, options.leaseMs / 1000, options.reconcileAt]);
  const captures = rows.flatMap(({ attemptId, refundIds: _refunds, unsettledIds: _unsettled, ...payment }) =>
    attemptId ? [{ payment: payment as PaymentRecord, attemptId }] : [],
  );
  return { captures, refundIds: rows[0]?.refundIds ?? [], unsettledIds: rows[0]?.unsettledIds ?? [] };
}

/** The provider's answer to one capture as it is to be written, if the payment is still as it was taken. */
export interface CaptureWrite {
  paymentId: string;
  /** The payment's `updatedAt` when it was taken: the write applies only if it is unchanged. */
  seenAt: Date;
  change: PaymentChange;
  attemptId: string;
  /** A final answer settles every open call of the payment's key too. */
  openKey: string | null;
  settlement: AttemptSettlement;
}

// One statement, atomic by itself, with no transaction around it: each payment is updated only
// where it is still PENDING and unchanged since it was taken (the UPDATE waits for a row another
// writer holds, a cancel or a webhook, and checks the row again as that one left it), and only
// the calls and the events of the payments it updated are written.
const writeAnswersStatement = statement(
  "payments.capture.writeAnswers",
  `WITH input AS (
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
       "paymentId" uuid, "seenAt" timestamptz, change jsonb, "attemptId" uuid, "openKey" text,
       "setOutcome" text, "setError" text, "checkAgainAt" timestamptz, "setReference" text)
   ), saved AS (
     UPDATE payments p SET ${paymentChangeSet("x.change", "p.")}, updated_at = clock_timestamp()
       FROM input x
      WHERE p.id = x."paymentId" AND p.status = 'PENDING' AND p.updated_at = x."seenAt"
     RETURNING p.id
   ), settled AS (
     UPDATE payment_attempts a
        SET outcome = x."setOutcome"::"AttemptOutcome", error = x."setError", next_attempt_at = x."checkAgainAt",
            provider_reference = coalesce(x."setReference", a.provider_reference)
       FROM input x JOIN saved s ON s.id = x."paymentId"
      WHERE a.id = x."attemptId"
         OR (x."openKey" IS NOT NULL AND a.idempotency_key = x."openKey" AND a.outcome IN ('UNKNOWN', 'REQUIRES_ACTION'))
     RETURNING a.id
   ), outbox AS (
     ${outboxInsertOf(2, "($6::uuid[])[n::int] IN (SELECT id FROM saved)")}
   )
   SELECT id::text AS id FROM saved`,
);

/** The events told of one capture's answer: written only if its payment is. */
export interface CaptureEvents {
  paymentId: string;
  events: readonly EventEnvelope[];
}

/**
 * Writes the provider's answers to many captures in one statement, atomic by itself: each
 * payment's change, its call's record (with the other open calls of its key when the answer is
 * final) and its events (`told`), only where the payment is still PENDING and unchanged since
 * it was taken. Answers the ids of the payments written; one left out changed meanwhile
 * (cancelled, closed by its window) and is settled on its own, and its events were not written.
 */
export async function writeCaptureAnswers(
  db: SqlExecutor,
  writes: readonly CaptureWrite[],
  told: readonly CaptureEvents[],
): Promise<Set<string>> {
  if (writes.length === 0) return new Set();
  const input = writes.map((write) => ({
    paymentId: write.paymentId,
    seenAt: write.seenAt.toISOString(),
    change: paymentChangeJson(write.change),
    attemptId: write.attemptId,
    openKey: write.openKey,
    setOutcome: write.settlement.outcome,
    setError: write.settlement.error ?? null,
    checkAgainAt: write.settlement.checkAgainAt?.toISOString() ?? null,
    setReference: write.settlement.providerReference ? write.settlement.providerReference : null,
  }));
  const events = told.flatMap((each) => each.events.map((event) => ({ event, paymentId: each.paymentId })));
  const rows = await sql<{ id: string }>(db, writeAnswersStatement, [
    JSON.stringify(input),
    ...outboxRows(events.map((each) => each.event)),
    events.map((each) => each.paymentId),
  ]);
  return new Set(rows.map((row) => row.id));
}
