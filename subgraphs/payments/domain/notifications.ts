import { isUuid } from "../../common/validation";
import { WebhookSignatureError, type PaymentProvider, type ProviderEvent } from "../provider/paymentProvider";
import { findRefund, lockPayment, settleOpenAttempts, settleRefund } from "../store/paymentStore";
import { recordWebhookEvent } from "../store/webhookStore";
import type { PaymentsDependencies } from "./dependencies";
import { settlePayment } from "./paymentSettlement";
import { recordRefundMade, refundKeyOf } from "./refunds";
import { saveMethodOfSetup } from "./savedMethods";

/** What became of a notification: the webhook route answers by it. */
export type NotificationOutcome =
  | "applied"
  /** Applied before: a repeated delivery, which changes nothing. */
  | "duplicate"
  /** Not about anything of this service (another event type, another system's payment). */
  | "ignored"
  /** The signature did not hold: nothing of it was read. */
  | "rejected";

/**
 * A provider's notification (webhook): its signature is verified with the provider's secret,
 * and it is applied once, in one transaction with the record of its id. Notifications may come
 * in any order and more than once: each says where a payment, refund or setup stands, and
 * settling by it is idempotent (a payment's state machine ignores what is late, and refunds
 * a capture that comes after the payment closed).
 */
export async function receiveNotification(
  deps: PaymentsDependencies,
  provider: PaymentProvider,
  rawBody: Buffer,
  signature: string | undefined,
): Promise<NotificationOutcome> {
  let event: ProviderEvent;
  try {
    event = provider.verifyWebhook(rawBody, signature);
  } catch (error) {
    if (error instanceof WebhookSignatureError) {
      deps.logger.warn(
        { provider: provider.name, err: error.message },
        "refused a webhook whose signature does not hold",
      );
      return "rejected";
    }
    throw error;
  }
  if (event.kind === "ignored") return "ignored";
  // A saved card's description is read from the provider before the transaction (no call is made inside one).
  const card = event.kind === "setup" ? await provider.describeMethod(event.methodReference) : null;
  return deps.unitOfWork(async (tx, emit) => {
    if (!(await recordWebhookEvent(tx, provider.name, event.id))) return "duplicate";
    switch (event.kind) {
      case "payment": {
        const payment = isUuid(event.paymentId) ? await lockPayment(tx, event.paymentId) : null;
        if (!payment || payment.provider !== provider.name) return "ignored";
        await settlePayment(tx, emit, payment, event.state, { tried: false, reconcileAfterMs: deps.reconcileAfterMs });
        return "applied";
      }
      case "refund": {
        const refund = isUuid(event.refundId) ? await findRefund(tx, event.refundId) : null;
        if (!refund) return "ignored";
        if (event.outcome === "refunded") {
          await recordRefundMade(tx, emit, refund, event.reference);
        } else if (await settleRefund(tx, refund.id, "FAILED")) {
          await settleOpenAttempts(tx, refundKeyOf(refund.id), {
            outcome: "DECLINED",
            providerReference: event.reference,
            error: "the provider reports the refund failed",
          });
        } else if (refund.status === "SUCCEEDED") {
          deps.logger.error(
            { refundId: refund.id, paymentId: refund.paymentId, providerReference: event.reference },
            "the provider reports a refund failed after it was made: the customer has not been refunded; refund them another way",
          );
        }
        return "applied";
      }
      case "setup":
        return (await saveMethodOfSetup(tx, provider.name, event, card!)) ? "applied" : "ignored";
    }
  });
}
