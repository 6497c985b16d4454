import { backoffDelayMs } from "../../common/backoff";
import type { EventData } from "../../common/events/catalog";
import type { Emit } from "../../common/events/unitOfWork";
import { fromMoney } from "../../common/money";
import { TransientProviderError, type PaymentProvider, type PaymentState } from "../provider/paymentProvider";
import type { PaymentsTx } from "../store/database";
import type { SqlExecutor } from "../../common/database/prismaOptions";
import { insertRequestedPayments, lockOrdersPayments, type PaymentToOpen } from "../store/captureBatchSql";
import {
  beginCapture,
  closeOrder,
  lockOrderPayments,
  lockPayment,
  lockPaymentOfOrder,
  reconcileOpenAttemptsNow,
  settleAttempt,
} from "../store/paymentStore";
import type { PaymentRecord } from "../store/records";
import type { PaymentsDependencies } from "./dependencies";
import { captureKeyOf, settlePayment, tellCaptureOutcome } from "./paymentSettlement";
import { applyPaymentEvent, type PaymentEvent } from "./paymentTransitions";
import { refundRemainder } from "./refunds";
import { paymentSourceOf } from "./savedMethods";

/** The defaults a payment is opened with: which provider takes payments by token. */
export interface OpeningDefaults {
  defaultProvider: string;
}

/**
 * Opens the orders' payments when their stock is reserved; the worker captures them at once. A
 * payment with a saved card goes to the provider the card was saved with. A repeated request
 * changes nothing. A batch of requests takes its orders' locks in one statement (the consumer's,
 * that records the requests, unless it runs on its own) and opens every payment in a second.
 */
export async function openPayments(
  tx: SqlExecutor,
  emit: Emit,
  requests: ReadonlyArray<EventData<"orders.payment.requested">>,
  defaults: OpeningDefaults,
): Promise<void> {
  // Waits for a cancellation of an order under way, and makes one that comes meanwhile wait for
  // this payment to be committed, so that it closes the payment rather than missing it.
  await lockOrdersPayments(
    tx,
    requests.map((request) => request.orderId),
  );
  const opened = await insertRequestedPayments(
    tx,
    requests.map((request) => paymentToOpen(request, defaults)),
  );
  if (opened > 0) emit.wake("payment-attempts");
}

/** A request as the payment to open: the refund ledger's lines must add up to the amount, else one line. */
function paymentToOpen(request: EventData<"orders.payment.requested">, defaults: OpeningDefaults): PaymentToOpen {
  const amountMinor = fromMoney(request.amount);
  // The refund ledger: what each order line pays, or (older requests) the whole as one line.
  const given = (request.lines ?? []).map((line) => ({ lineId: line.lineId, paidMinor: fromMoney(line.amount) }));
  // The lines must add up to what is charged, or refunds could exceed the capture: else one line.
  const lines =
    given.length > 0 && given.reduce((sum, line) => sum + line.paidMinor, 0n) === amountMinor
      ? given
      : [{ lineId: "order", paidMinor: amountMinor }];
  return {
    orderId: request.orderId,
    customerId: request.customerId,
    amountMinor,
    currency: request.amount.currency,
    paymentToken: request.paymentToken ?? "",
    paymentMethodId: request.paymentMethodId ?? null,
    defaultProvider: defaults.defaultProvider,
    deadline: new Date(request.deadline),
    lines,
  };
}

/**
 * A transient failure: try again with backoff while the provider's window allows, else give up.
 * The window is the shorter of the payment's own (the order's payment window) and
 * `unreachableWindowMs` from when the payment opened, so a provider that is down does not hold
 * the order's stock for the whole payment window.
 */
function transientEvent(payment: PaymentRecord, unreachableWindowMs: number, retry: PaymentsDependencies["retry"]) {
  const retryAt = new Date(Date.now() + backoffDelayMs(payment.attemptCount + 1, retry));
  const givesUpAt = Math.min(payment.deadline.getTime(), payment.createdAt.getTime() + unreachableWindowMs);
  return retryAt.getTime() < givesUpAt
    ? ({ type: "CAPTURE_FAILED_TRANSIENTLY", retryAt } as const)
    : ({ type: "CAPTURE_TIMED_OUT" } as const);
}

/**
 * One try at capturing a payment. Every try of one payment carries the same idempotency key, so
 * a provider that took the money but failed to answer gives the same capture back. The call is
 * recorded before it is made (UNKNOWN), so one whose answer never gets recorded (the process
 * died, the commit failed) is found and settled by reconciliation. A transient failure is
 * retried with backoff while the provider's window allows.
 */
export async function attemptCapture(deps: PaymentsDependencies, paymentId: string): Promise<void> {
  // The payment, if it still waits, and the record of the call, in one statement.
  const begun = await beginCapture(deps.db, paymentId, {
    idempotencyKey: captureKeyOf(paymentId),
    reconcileAt: new Date(Date.now() + deps.reconcileAfterMs),
  });
  if (!begun) return;
  const answer = await askToCapture(deps, begun.payment);
  await settleCapture(deps, paymentId, begun.attemptId, answer);
}

/** What the provider answers to a capture of the payment (a transient failure as its error), under the payment's key. */
export async function askToCapture(
  deps: PaymentsDependencies,
  payment: PaymentRecord,
): Promise<PaymentState | TransientProviderError> {
  const provider: PaymentProvider = deps.providers.get(payment.provider);
  const source = await paymentSourceOf(deps.db, payment);
  if (!source) {
    return {
      status: "declined",
      reference: null,
      reason: "payment_method_unavailable",
      detail: "no such saved method",
    };
  }
  try {
    return await provider.capture({
      idempotencyKey: captureKeyOf(payment.id),
      source,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      metadata: { orderId: payment.orderId, paymentId: payment.id },
    });
  } catch (error) {
    if (!(error instanceof TransientProviderError)) throw error;
    return error;
  }
}

/**
 * Records the provider's answer to one call (`attemptId`) on the payment as it is now, locked:
 * the state machine decides, and a transient failure is retried with backoff while the
 * provider's window allows.
 */
export async function settleCapture(
  deps: PaymentsDependencies,
  paymentId: string,
  attemptId: string,
  answer: PaymentState | TransientProviderError,
): Promise<void> {
  await deps.unitOfWork(async (tx, emit) => {
    const current = await lockPayment(tx, paymentId);
    if (!current) return;
    if (!(answer instanceof TransientProviderError)) {
      await settlePayment(tx, emit, current, answer, {
        attemptId,
        tried: true,
        reconcileAfterMs: deps.reconcileAfterMs,
      });
      return;
    }
    await settleAttempt(tx, attemptId, { outcome: "TRANSIENT_ERROR", error: answer.message });
    // Closed while the provider was failing (the order cancelled, its window closed): nothing more to try.
    const event: PaymentEvent = transientEvent(current, deps.unreachableWindowMs, deps.retry);
    const applied = await applyPaymentEvent(tx, current, event);
    if (applied) await tellCaptureOutcome(tx, emit, current, event, applied);
  });
}

/**
 * The order was cancelled: stop capturing, refund what was captured, and void a payment still
 * waiting for the customer at the provider. An order cancelled before its payment was even
 * requested gets a closed payment, so a late request opens nothing.
 */
export async function closePaymentOfCancelledOrder(
  tx: PaymentsTx,
  emit: Emit,
  order: EventData<"orders.order.status_changed">,
): Promise<void> {
  await lockOrderPayments(tx, order.orderId);
  const payment = await lockPaymentOfOrder(tx, order.orderId);
  if (!payment) return closeOrder(tx, order.orderId);
  const applied = await applyPaymentEvent(tx, payment, { type: "ORDER_CANCELLED" });
  if (applied?.decision.kind === "transition") {
    emit("payments.payment.failed", {
      orderId: payment.orderId,
      paymentId: payment.id,
      outcome: "ABANDONED",
      failureReason: "the order was cancelled",
    });
  }
  if (applied?.decision.refund) await refundRemainder(tx, emit, applied.payment, "order cancelled");
  if (applied?.decision.voidAtProvider && (await reconcileOpenAttemptsNow(tx, captureKeyOf(payment.id))) > 0)
    emit.wake("payment-attempts");
}
