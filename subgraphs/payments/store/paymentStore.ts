import { lockUntilCommit } from "../../common/database/advisoryLock";
import { sql, statement } from "../../common/database/sqlPool";
import type { DueWorkTable } from "../../common/dueWork/claimDue";
import type { AttemptKind, AttemptOutcome } from "../generated/prisma/client";
import type { PaymentsReader, PaymentsTx } from "./database";
import type { PaymentAttempt } from "../generated/prisma/client";
import type { PaymentRecord, RefundRecord } from "./records";

export function findPaymentsByIds(db: PaymentsReader, ids: readonly string[]): Promise<PaymentRecord[]> {
  return db.payment.findMany({ where: { id: { in: [...ids] } } });
}

export function findPaymentsOfOrders(db: PaymentsReader, orderIds: readonly string[]): Promise<PaymentRecord[]> {
  return db.payment.findMany({ where: { orderId: { in: [...orderIds] } } });
}

export function findPayment(db: PaymentsReader, id: string): Promise<PaymentRecord | null> {
  return db.payment.findUnique({ where: { id } });
}

export function findAttemptsOfPayments(db: PaymentsReader, paymentIds: readonly string[]): Promise<PaymentAttempt[]> {
  return db.paymentAttempt.findMany({ where: { paymentId: { in: [...paymentIds] } }, orderBy: { createdAt: "asc" } });
}

/** `payments` with its columns under the names of `PaymentRecord`, for locking reads Prisma's API cannot express. */
export const payments = {
  name: "payments",
  columns: `id::text AS id, order_id::text AS "orderId", customer_id::text AS "customerId", status::text AS status,
  amount_minor AS "amountMinor", refunded_minor AS "refundedMinor", currency, failure_reason AS "failureReason",
  payment_token AS "paymentToken", payment_method_id::text AS "paymentMethodId", provider,
  capture_reference AS "captureReference", next_action_type AS "nextActionType", next_action_secret AS "nextActionSecret",
  next_action_url AS "nextActionUrl", deadline, next_attempt_at AS "nextAttemptAt", attempt_count AS "attemptCount",
  order_cancelled AS "orderCancelled", created_at AS "createdAt", updated_at AS "updatedAt",
  exchange_credit_minor AS "exchangeCreditMinor", funded_by_payment_id::text AS "fundedByPaymentId"`,
};

/**
 * Serialises payment work on one order (opening its payment, closing it on cancellation, a
 * back-office refund) until the transaction ends. Row locks cannot do this alone: an order's
 * payment may not exist yet, or be inserted and not yet committed, so a cancellation would find
 * nothing to lock and record a closure beside a payment that is then captured. Take it first,
 * before any row lock of the order's payment.
 */
export function lockOrderPayments(tx: PaymentsTx, orderId: string): Promise<void> {
  return lockUntilCommit(tx, orderPaymentsLockKey(orderId));
}

/** The advisory lock key of `lockOrderPayments`. */
export const orderPaymentsLockKey = (orderId: string) => `payments:order:${orderId}`;

const lockOfOrder = statement(
  "payments.payment.lockOfOrder",
  `SELECT ${payments.columns} FROM payments WHERE order_id = $1::uuid FOR UPDATE`,
);
const lockById = statement(
  "payments.payment.lock",
  `SELECT ${payments.columns} FROM payments WHERE id = $1::uuid FOR UPDATE`,
);

/** The payment of an order, locked until the transaction ends (one statement: it runs at every saga step). */
export async function lockPaymentOfOrder(tx: PaymentsTx, orderId: string): Promise<PaymentRecord | null> {
  const [row] = await sql<PaymentRecord>(tx, lockOfOrder, [orderId]);
  return row ?? null;
}

export async function lockPayment(tx: PaymentsTx, id: string): Promise<PaymentRecord | null> {
  const [row] = await sql<PaymentRecord>(tx, lockById, [id]);
  return row ?? null;
}

export interface NewPayment {
  orderId: string;
  customerId: string;
  amountMinor: bigint;
  currency: string;
  paymentToken: string;
  paymentMethodId: string | null;
  provider: string;
  deadline: Date;
}

/** Creates the order's payment, due at once; false when the order already has one. */
export async function insertPayment(tx: PaymentsTx, payment: NewPayment): Promise<boolean> {
  const { count } = await tx.payment.createMany({
    data: [{ ...payment, nextAttemptAt: new Date() }],
    skipDuplicates: true,
  });
  return count === 1;
}

/** What a payment's status carries along: set together with it, in one statement. */
export type PaymentChange = Partial<
  Pick<
    PaymentRecord,
    | "status"
    | "failureReason"
    | "captureReference"
    | "refundedMinor"
    | "attemptCount"
    | "nextAttemptAt"
    | "orderCancelled"
    | "nextActionType"
    | "nextActionSecret"
    | "nextActionUrl"
  >
>;

/**
 * The SET list of a `PaymentChange` given as JSON (`change`, an SQL expression): each field set
 * when the change names it (JSON null sets null), else kept (`kept` qualifies the column kept).
 */
export function paymentChangeSet(change: string, kept = ""): string {
  const changed = (column: string, key: string, cast: string) =>
    `${column} = CASE WHEN ${change} ? '${key}' THEN (${change}->>'${key}')${cast} ELSE ${kept}${column} END`;
  return [
    changed("status", "status", '::"PaymentStatus"'),
    changed("failure_reason", "failureReason", ""),
    changed("capture_reference", "captureReference", ""),
    changed("refunded_minor", "refundedMinor", "::bigint"),
    changed("attempt_count", "attemptCount", "::int"),
    changed("next_attempt_at", "nextAttemptAt", "::timestamptz"),
    changed("order_cancelled", "orderCancelled", "::boolean"),
    changed("next_action_type", "nextActionType", ""),
    changed("next_action_secret", "nextActionSecret", ""),
    changed("next_action_url", "nextActionUrl", ""),
  ].join(", ");
}

const saveStatement = statement(
  "payments.payment.save",
  `UPDATE payments SET ${paymentChangeSet("$2::jsonb")}, updated_at = clock_timestamp()
    WHERE id = $1::uuid
   RETURNING ${payments.columns}`,
);

/** A `PaymentChange` as the JSON `paymentChangeSet` reads: bigints as text, times as ISO strings. */
export function paymentChangeJson(change: PaymentChange): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(change)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [
        key,
        typeof value === "bigint" ? value.toString() : value instanceof Date ? value.toISOString() : value,
      ]),
  );
}

/**
 * The one place a payment's status is written, with the fields that go with it. Only
 * `applyPaymentEvent` calls it, with the status the state machine decided. One named statement
 * whatever the change names (the fields it leaves out are kept).
 */
export async function savePayment(tx: PaymentsTx, id: string, change: PaymentChange): Promise<PaymentRecord> {
  const [row] = await sql<PaymentRecord>(tx, saveStatement, [id, JSON.stringify(paymentChangeJson(change))]);
  if (!row) throw new Error(`payment ${id} vanished while locked`);
  return row;
}

/** Whether the order was cancelled before its payment was requested (see `closeOrder`). */
export async function isOrderClosed(tx: PaymentsTx, orderId: string): Promise<boolean> {
  return (await tx.orderClosure.count({ where: { orderId } })) > 0;
}

/** Remembers an order cancelled before payments heard of its payment, so a late request opens nothing. */
export async function closeOrder(tx: PaymentsTx, orderId: string): Promise<void> {
  await tx.orderClosure.createMany({ data: [{ orderId }], skipDuplicates: true });
}

/** A call about to be made to the provider: UNKNOWN until its answer is recorded, and reconciled at `reconcileAt` if it never is. */
export function openAttempt(
  db: PaymentsReader,
  attempt: { paymentId: string; kind: AttemptKind; amountMinor: bigint; idempotencyKey: string; reconcileAt: Date },
): Promise<PaymentAttempt> {
  const { reconcileAt, ...fields } = attempt;
  return db.paymentAttempt.create({ data: { ...fields, outcome: "UNKNOWN", nextAttemptAt: reconcileAt } });
}

/** How a call ended; an open outcome (REQUIRES_ACTION, UNKNOWN) keeps it due for reconciliation at `checkAgainAt`. */
export interface AttemptSettlement {
  outcome: AttemptOutcome;
  providerReference?: string | null;
  error?: string | null;
  checkAgainAt?: Date | null;
}

const settlementData = (settlement: AttemptSettlement) => ({
  outcome: settlement.outcome,
  error: settlement.error ?? null,
  nextAttemptAt: settlement.checkAgainAt ?? null,
  ...(settlement.providerReference ? { providerReference: settlement.providerReference } : {}),
});

/**
 * One statement for `settleAttempt` and `settleOpenAttempts` alike: the call's own row ($1),
 * and/or every open call of a key ($2). A provider reference is written only when given.
 */
const settleStatement = statement(
  "payments.attempt.settle",
  `UPDATE payment_attempts
      SET outcome = $3::text::"AttemptOutcome", error = $4, next_attempt_at = $5::timestamptz,
          provider_reference = coalesce($6, provider_reference)
    WHERE id = $1::uuid OR (idempotency_key = $2 AND outcome IN ('UNKNOWN', 'REQUIRES_ACTION'))
   RETURNING id`,
);

function settleRows(
  tx: PaymentsTx,
  which: { id: string | null; openKey: string | null },
  settlement: AttemptSettlement,
): Promise<Array<{ id: string }>> {
  const data = settlementData(settlement);
  return sql<{ id: string }>(tx, settleStatement, [
    which.id,
    which.openKey,
    data.outcome,
    data.error,
    data.nextAttemptAt,
    settlement.providerReference ? settlement.providerReference : null,
  ]);
}

/** Records the provider's answer to one call, by the call's own row. */
export async function settleAttempt(tx: PaymentsTx, id: string, settlement: AttemptSettlement): Promise<void> {
  const rows = await settleRows(tx, { id, openKey: null }, settlement);
  if (rows.length === 0) throw new Error(`no payment attempt ${id}`);
}

/** Records an answer learnt otherwise (a webhook, a look-up) on every open call made with this key. */
export async function settleOpenAttempts(
  tx: PaymentsTx,
  idempotencyKey: string,
  settlement: AttemptSettlement,
): Promise<number> {
  return (await settleRows(tx, { id: null, openKey: idempotencyKey }, settlement)).length;
}

/** `settleAttempt` and `settleOpenAttempts` with the same answer, in one statement. */
export async function settleAttemptAndOpenAttempts(
  tx: PaymentsTx,
  id: string,
  idempotencyKey: string,
  settlement: AttemptSettlement,
): Promise<void> {
  await settleRows(tx, { id, openKey: idempotencyKey }, settlement);
}

/** Makes the open calls of this key due for reconciliation now (a payment closed while its customer was to authenticate). */
export async function reconcileOpenAttemptsNow(tx: PaymentsTx, idempotencyKey: string): Promise<number> {
  const { count } = await tx.paymentAttempt.updateMany({
    where: { idempotencyKey, outcome: { in: ["UNKNOWN", "REQUIRES_ACTION"] } },
    data: { nextAttemptAt: new Date() },
  });
  return count;
}

/** Forgets a call that repeated another of the same key (the provider answered it from the first). */
export async function dropAttempt(tx: PaymentsTx, id: string): Promise<void> {
  await tx.paymentAttempt.deleteMany({ where: { id } });
}

export function findAttempt(db: PaymentsReader, id: string): Promise<PaymentAttempt | null> {
  return db.paymentAttempt.findUnique({ where: { id } });
}

/** Calls whose answer is not recorded, or not final: reconciliation asks the provider about them when due. */
export const unsettledAttempts: DueWorkTable = {
  table: "payment_attempts",
  pending: "outcome IN ('UNKNOWN', 'REQUIRES_ACTION')",
};

/** Payments whose capture is due: PENDING, at their `next_attempt_at`. */
export const duePayments: DueWorkTable = { table: "payments", pending: "status = 'PENDING'" };

/** Refunds to make: PENDING, at their `next_attempt_at`. */
export const dueRefunds: DueWorkTable = { table: "refunds", pending: "status = 'PENDING'" };

/** A refund to make: due at once, or leased to the caller that makes it at once (`leasedForMs`). */
export function createRefund(
  tx: PaymentsTx,
  refund: { paymentId: string; amountMinor: bigint; reason: string | null },
  options: { leasedForMs?: number } = {},
): Promise<RefundRecord> {
  const nextAttemptAt = options.leasedForMs ? new Date(Date.now() + options.leasedForMs) : undefined;
  return tx.refund.create({ data: { ...refund, ...(nextAttemptAt ? { nextAttemptAt } : {}) } });
}

export function findRefund(db: PaymentsReader, id: string): Promise<RefundRecord | null> {
  return db.refund.findUnique({ where: { id } });
}

/** The refund a refund call's idempotency key names (`refund:<id>`). */
export function findRefundByKey(db: PaymentsReader, idempotencyKey: string): Promise<RefundRecord | null> {
  const id = /^refund:([0-9a-f-]{36})$/.exec(idempotencyKey)?.[1];
  return id ? db.refund.findUnique({ where: { id } }) : Promise.resolve(null);
}

export function findRefundWithPayment(db: PaymentsReader, id: string) {
  return db.refund.findUnique({ where: { id }, include: { payment: true } });
}

/**
 * The one place a refund's status is written: PENDING becomes SUCCEEDED or FAILED, once. False
 * when it was settled already (by another attempt at the same refund).
 */
export async function settleRefund(tx: PaymentsTx, id: string, status: "SUCCEEDED" | "FAILED"): Promise<boolean> {
  const { count } = await tx.refund.updateMany({
    where: { id, status: "PENDING" },
    data: { status, nextAttemptAt: null, attemptCount: { increment: 1 } },
  });
  return count === 1;
}

/** A refund that failed on the way: tried again at `retryAt`. */
export async function scheduleRefundRetry(tx: PaymentsTx, id: string, attemptCount: number, retryAt: Date) {
  await tx.refund.update({ where: { id }, data: { attemptCount, nextAttemptAt: retryAt } });
}

/** Refunds asked for but not yet made, which count against what is left to refund. */
export async function pendingRefundTotal(tx: PaymentsTx, paymentId: string): Promise<bigint> {
  const pending = await tx.refund.findMany({ where: { paymentId, status: "PENDING" }, select: { amountMinor: true } });
  return pending.reduce((sum, refund) => sum + refund.amountMinor, 0n);
}

const beginCaptureStatement = statement(
  "payments.capture.begin",
  `WITH p AS (
     SELECT ${payments.columns} FROM payments WHERE id = $1::uuid AND status = 'PENDING'
   ), attempt AS (
     INSERT INTO payment_attempts (id, payment_id, kind, outcome, amount_minor, idempotency_key, next_attempt_at)
     SELECT gen_random_uuid(), p.id::uuid, 'CAPTURE'::"AttemptKind", 'UNKNOWN'::"AttemptOutcome", p."amountMinor", $2,
            $3::timestamptz
       FROM p
     RETURNING id::text AS id
   )
   SELECT p.*, (SELECT id FROM attempt) AS "attemptId" FROM p`,
);

/**
 * A capture about to be made, in one statement: the payment, if it still waits (PENDING), and the
 * record of the call (UNKNOWN, reconciled at `reconcileAt` if its answer is never recorded).
 * Null when the payment is gone or no longer PENDING (no call is recorded then).
 */
export async function beginCapture(
  db: PaymentsReader,
  paymentId: string,
  call: { idempotencyKey: string; reconcileAt: Date },
): Promise<{ payment: PaymentRecord; attemptId: string } | null> {
  const [row] = await sql<PaymentRecord & { attemptId: string }>(db, beginCaptureStatement, [
    paymentId,
    call.idempotencyKey,
    call.reconcileAt,
  ]);
  if (!row) return null;
  const { attemptId, ...payment } = row;
  return { payment, attemptId };
}
