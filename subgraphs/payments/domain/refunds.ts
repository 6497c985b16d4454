import { createHash } from "node:crypto";
import { recordAudit } from "../../common/audit/recordAudit";
import type { Caller } from "../../common/auth/caller";
import { backoffDelayMs } from "../../common/backoff";
import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import type { Emit } from "../../common/events/unitOfWork";
import { parseAmount, toMoney } from "../../common/money";
import { isUuid, optionalText } from "../../common/validation";
import { ProviderRejectedError, TransientProviderError } from "../provider/paymentProvider";
import type { PaymentsTx } from "../store/database";
import { findLedgerLines, findRefundByRequestKey, insertRefund, restatePaymentLines } from "../store/refundLedgerStore";
import { reallocateForEdit, type LineAmount } from "./refundLedger";
import { isRefundable, requestHashOf, requestRefund } from "./refundRequests";
import {
  dropAttempt,
  findRefundWithPayment,
  lockOrderPayments,
  lockPayment,
  lockPaymentOfOrder,
  openAttempt,
  scheduleRefundRetry,
  settleAttempt,
  settleOpenAttempts,
  settleRefund,
} from "../store/paymentStore";
import type { PaymentRecord, RefundRecord } from "../store/records";
import { attemptLeaseMs } from "./attemptLease";
import { payExchange, type ExchangeToPay } from "./exchanges";
import type { PaymentsDependencies } from "./dependencies";
import { applyPaymentEvent } from "./paymentTransitions";

/** The refund calls of one refund all carry this key: the provider gives the money back once. */
export const refundKeyOf = (refundId: string) => `refund:${refundId}`;

/** The provider refused a refund (never retried): the refund is FAILED and the money it was to give back is still captured. */
export class RefundRefusedError extends Error {
  override name = "RefundRefusedError";
  constructor(
    readonly refund: {
      refundId: string;
      paymentId: string;
      orderId: string;
      amount: string;
      currency: string;
      captureReference: string | null;
      reason: string | null;
    },
    override readonly cause: ProviderRejectedError,
  ) {
    super(`the provider refused refund ${refund.refundId} of payment ${refund.paymentId}: ${cause.message}`);
  }
}

/** The key of the refund that gives back what is left when a paid order is cancelled. */
export const cancellationRefundKey = "cancellation";

/** Asks for a refund of what is left (cancelled after payment); made by the worker, retried until it succeeds. */
export async function refundRemainder(
  tx: PaymentsTx,
  emit: Emit,
  payment: PaymentRecord,
  reason: string,
): Promise<void> {
  if (!isRefundable(payment)) return;
  const outcome = await requestRefund(tx, payment, {
    idempotencyKey: cancellationRefundKey,
    ask: { kind: "amount", amountMinor: null },
    reason,
  });
  if (outcome.kind === "created") emit.wake("payment-attempts");
}

/**
 * The key of a back-office refund sent without one: derived from what it asks, so a retried
 * request (a timeout, a double click) refunds once. Two equal partial refunds of one order need
 * keys of their own.
 */
export function derivedRefundKey(orderId: string, amountMinor: bigint | null, reason: string | null): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([orderId, amountMinor === null ? "rest" : amountMinor.toString(), reason ?? ""]))
    .digest("hex");
  return `request:${digest.slice(0, 32)}`;
}

/** A refund's outcome, waited for while another request of the same key is making it. */
async function settledRefund(deps: PaymentsDependencies, refundId: string) {
  const deadline = Date.now() + attemptLeaseMs;
  for (;;) {
    const refund = await findRefundWithPayment(deps.db, refundId);
    if (!refund) throw new Error(`refund ${refundId} vanished`);
    if (refund.status !== "PENDING" || Date.now() > deadline) return refund;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A back-office refund of an order's payment: the given amount, or everything not yet refunded,
 * under an idempotency key (the client's, or derived from the request): the same key again
 * refunds nothing more and answers as the first did, even while the first is under way; the
 * same key with another amount is CONFLICT. More than what is left is BAD_USER_INPUT. The
 * refund is made at once; if the provider fails, it is retried in the background. If the
 * provider refuses it (a card closed since, a charge disputed), the refund is FAILED, nothing is
 * refunded, and the caller gets CONFLICT.
 */
export async function refundOrder(
  deps: PaymentsDependencies & { caller?: Caller | null },
  input: { orderId: string; amount?: string | null; reason?: string | null; idempotencyKey?: string | null },
): Promise<PaymentRecord> {
  const requested = input.amount ? parseAmount(input.amount, "amount") : null;
  if (requested !== null && requested <= 0n) throw new BadUserInputError("The refund must be more than 0.", "amount");
  const reason = optionalText(input.reason, "reason", 500);
  const clientKey = optionalText(input.idempotencyKey, "idempotencyKey", 100);
  const outcome = await deps.unitOfWork(async (tx, emit) => {
    if (!isUuid(input.orderId)) throw new NotFoundError("This order has no payment.");
    await lockOrderPayments(tx, input.orderId);
    const payment = await lockPaymentOfOrder(tx, input.orderId);
    if (!payment) throw new NotFoundError("This order has no payment.");
    const request = {
      idempotencyKey: clientKey ? `client:${clientKey}` : derivedRefundKey(payment.orderId, requested, reason),
      ask: { kind: "amount" as const, amountMinor: requested },
      reason,
    };
    const existing = await findRefundByRequestKey(tx, payment.id, request.idempotencyKey);
    if (!existing && !isRefundable(payment)) {
      throw new ConflictError(
        `There is no captured payment to refund: the payment is ${payment.status.toLowerCase().replace("_", " ")}.`,
      );
    }
    // Made at once below; the worker takes it up only if this try never finishes.
    const made = await requestRefund(tx, payment, request, { leasedForMs: attemptLeaseMs });
    if (made.kind === "nothing-left") throw new ConflictError("Everything captured is already refunded.");
    if (made.kind === "created") {
      await recordAudit(tx, emit, "payments", deps.caller, {
        entityType: "PAYMENT",
        entityId: payment.id,
        action: "payment.refund_requested",
        before: {
          orderId: payment.orderId,
          status: payment.status,
          refunded: toMoney(payment.refundedMinor, payment.currency),
        },
        after: {
          orderId: payment.orderId,
          refundId: made.refund.id,
          amount: toMoney(made.refund.amountMinor, payment.currency),
          reason,
          idempotencyKey: request.idempotencyKey,
        },
      });
    }
    return made;
  });
  if (outcome.kind === "created") {
    try {
      await attemptRefund(deps, outcome.refund.id);
    } catch (error) {
      if (!(error instanceof RefundRefusedError)) throw error;
      deps.logger.warn(
        { ...error.refund, err: error.cause.message },
        "the payment provider refused a back-office refund",
      );
    }
  }
  // A notification or reconciliation may have settled it meanwhile, and a repeated request
  // waits for the first one's call: the answer is read from the refund, whoever settled it.
  const refund = await settledRefund(deps, outcome.refund.id);
  if (refund.status === "FAILED") {
    throw new ConflictError(
      "The payment provider refused this refund, so nothing was refunded. Its answer is in the payment's attempts; refund the customer another way.",
    );
  }
  return refund.payment;
}

/**
 * A return's refund, asked by the orders service (`orders.return.received`): its lines' amounts
 * under the return's key, capped at what each line has left, made by the worker. For an exchange,
 * those amounts pay the exchange order first (`payExchange`) and only the rest is refunded. A
 * repeated event, or a return whose lines have nothing left, refunds nothing.
 */
export async function refundReturn(
  tx: PaymentsTx,
  emit: Emit,
  request: {
    orderId: string;
    idempotencyKey: string;
    lines: readonly LineAmount[];
    reason: string;
    exchange?: ExchangeToPay | null;
  },
): Promise<void> {
  await lockOrderPayments(tx, request.orderId);
  const payment = await lockPaymentOfOrder(tx, request.orderId);
  let lines = request.lines;
  if (request.exchange) {
    // Settled already (the same return told twice): its refund and its exchange were decided then.
    if (payment && (await findRefundByRequestKey(tx, payment.id, request.idempotencyKey))) return;
    if (payment && (await findRefundByRequestKey(tx, payment.id, request.exchange.idempotencyKey))) return;
    const rest = await payExchange(tx, emit, payment, request.lines, request.exchange);
    if (rest) lines = rest;
  }
  if (!payment || !isRefundable(payment)) return;
  if (lines.length === 0) return;
  const outcome = await requestRefund(tx, payment, {
    idempotencyKey: request.idempotencyKey,
    ask: { kind: "lines", lines },
    reason: request.reason,
  });
  if (outcome.kind === "created") emit.wake("payment-attempts");
}

/**
 * An order edit (`orders.order.edited`): the ledger's lines follow what each order line pays now,
 * and the difference is refunded under the edit's key, made by the worker. A repeated event
 * finds the key's refund and changes nothing; a payment not captured refunds nothing.
 */
export async function refundEdit(
  tx: PaymentsTx,
  emit: Emit,
  request: {
    orderId: string;
    idempotencyKey: string;
    amountMinor: bigint;
    paidLines: readonly LineAmount[];
    reason: string;
  },
): Promise<void> {
  await lockOrderPayments(tx, request.orderId);
  const payment = await lockPaymentOfOrder(tx, request.orderId);
  if (!payment || !isRefundable(payment)) return;
  if (await findRefundByRequestKey(tx, payment.id, request.idempotencyKey)) return;
  const { paid, refund } = reallocateForEdit(
    await findLedgerLines(tx, payment.id),
    request.paidLines,
    request.amountMinor,
  );
  await restatePaymentLines(tx, payment.id, paid);
  if (refund.length === 0) return;
  await insertRefund(tx, {
    paymentId: payment.id,
    reason: request.reason,
    idempotencyKey: request.idempotencyKey,
    requestHash: requestHashOf({ kind: "lines", lines: refund }),
    lines: refund,
  });
  emit.wake("payment-attempts");
}

/**
 * Records a refund the provider made (whoever learnt it: the call, reconciliation, a
 * notification): the refund SUCCEEDED, the payment's refunded total, the calls of its key, and
 * `payments.payment.refunded`. False, changing nothing, when the refund was settled already.
 */
export async function recordRefundMade(
  tx: PaymentsTx,
  emit: Emit,
  refund: RefundRecord,
  reference: string,
): Promise<boolean> {
  await settleOpenAttempts(tx, refundKeyOf(refund.id), { outcome: "SUCCEEDED", providerReference: reference });
  const current = await lockPayment(tx, refund.paymentId);
  if (!current || !(await settleRefund(tx, refund.id, "SUCCEEDED"))) return false;
  const refundedMinor = current.refundedMinor + refund.amountMinor;
  await applyPaymentEvent(tx, current, { type: "REFUNDED", amountMinor: refund.amountMinor });
  emit("payments.payment.refunded", {
    orderId: current.orderId,
    paymentId: current.id,
    amount: toMoney(refund.amountMinor, current.currency),
    refundedTotal: toMoney(refundedMinor, current.currency),
    fullyRefunded: refundedMinor >= current.amountMinor,
    reason: refund.reason,
    idempotencyKey: refund.idempotencyKey,
  });
  return true;
}

/**
 * One try at a refund with the provider that took the payment. The call is recorded before it is
 * made (UNKNOWN), so one whose answer is lost is settled by reconciliation; the outcome is
 * recorded with it.
 */
export async function attemptRefund(deps: PaymentsDependencies, refundId: string): Promise<void> {
  const refund = await findRefundWithPayment(deps.db, refundId);
  if (!refund || refund.status !== "PENDING") return;
  const { payment } = refund;
  const idempotencyKey = refundKeyOf(refund.id);
  const attempt = await openAttempt(deps.db, {
    paymentId: payment.id,
    kind: "REFUND",
    amountMinor: refund.amountMinor,
    idempotencyKey,
    reconcileAt: new Date(Date.now() + deps.reconcileAfterMs),
  });
  try {
    const result = await deps.providers.get(payment.provider).refund({
      idempotencyKey,
      captureReference: payment.captureReference ?? "",
      amountMinor: refund.amountMinor,
      currency: payment.currency,
      metadata: { orderId: payment.orderId, paymentId: payment.id, refundId: refund.id },
    });
    await deps.unitOfWork(async (tx, emit) => {
      await settleAttempt(tx, attempt.id, { outcome: "SUCCEEDED", providerReference: result.reference });
      // Another call of the same key (the worker's, the back office's) settled it first: the
      // provider answered this one from that refund, so it is not kept as a second.
      if (!(await recordRefundMade(tx, emit, refund, result.reference))) await dropAttempt(tx, attempt.id);
    });
  } catch (error) {
    if (error instanceof ProviderRejectedError) {
      // Trying again never helps: the refund is given up (what it held back can be refunded
      // again), and the refusal goes on to whoever asked, to tell the back office or log.
      await deps.unitOfWork(async (tx) => {
        if (await settleRefund(tx, refund.id, "FAILED"))
          await settleAttempt(tx, attempt.id, { outcome: "DECLINED", error: error.message });
        else await dropAttempt(tx, attempt.id);
      });
      const { amount, currency } = toMoney(refund.amountMinor, payment.currency);
      throw new RefundRefusedError(
        {
          refundId: refund.id,
          paymentId: payment.id,
          orderId: payment.orderId,
          amount,
          currency,
          captureReference: payment.captureReference,
          reason: refund.reason,
        },
        error,
      );
    }
    if (!(error instanceof TransientProviderError)) throw error;
    await deps.unitOfWork(async (tx) => {
      const attempts = refund.attemptCount + 1;
      await scheduleRefundRetry(tx, refund.id, attempts, new Date(Date.now() + backoffDelayMs(attempts, deps.retry)));
      await settleAttempt(tx, attempt.id, { outcome: "TRANSIENT_ERROR", error: error.message });
    });
  }
}
