import { lockUntilCommit } from "../../common/database/advisoryLock";
import { lockRow } from "../../common/database/lockRow";
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
const payments = {
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
  return lockUntilCommit(tx, `payments:order:${orderId}`);
}

/** The payment of an order, locked until the transaction ends (one statement: it runs at every saga step). */
export function lockPaymentOfOrder(tx: PaymentsTx, orderId: string): Promise<PaymentRecord | null> {
  return lockRow<PaymentRecord>(tx, payments, "order_id", orderId);
}

export function lockPayment(tx: PaymentsTx, id: string): Promise<PaymentRecord | null> {
  return lockRow<PaymentRecord>(tx, payments, "id", id);
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
 * The one place a payment's status is written, with the fields that go with it. Only
 * `applyPaymentEvent` calls it, with the status the state machine decided.
 */
export function savePayment(tx: PaymentsTx, id: string, change: PaymentChange): Promise<PaymentRecord> {
  return tx.payment.update({ where: { id }, data: change });
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

/** Records the provider's answer to one call, by the call's own row. */
export async function settleAttempt(tx: PaymentsTx, id: string, settlement: AttemptSettlement): Promise<void> {
  await tx.paymentAttempt.update({ where: { id }, data: settlementData(settlement) });
}

/** Records an answer learnt otherwise (a webhook, a look-up) on every open call made with this key. */
export async function settleOpenAttempts(
  tx: PaymentsTx,
  idempotencyKey: string,
  settlement: AttemptSettlement,
): Promise<number> {
  const { count } = await tx.paymentAttempt.updateMany({
    where: { idempotencyKey, outcome: { in: ["UNKNOWN", "REQUIRES_ACTION"] } },
    data: settlementData(settlement),
  });
  return count;
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
