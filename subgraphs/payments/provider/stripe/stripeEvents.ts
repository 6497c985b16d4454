import type Stripe from "stripe";
import type { ProviderEvent } from "../paymentProvider";
import { stateOfIntent } from "./stripeStates";

const intentEvents = new Set([
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "payment_intent.canceled",
  "payment_intent.requires_action",
  "payment_intent.processing",
]);
const refundEvents = new Set(["refund.created", "refund.updated", "refund.failed"]);

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === "string" ? value : (value?.id ?? null);

/**
 * A verified Stripe event as payments acts on it: a PaymentIntent's new state (found by the
 * payment id in its metadata), a refund made or failed (by the refund id in its metadata), or a
 * card saved by a SetupIntent. Everything else, and objects without our metadata, is ignored.
 */
export function readStripeEvent(event: Stripe.Event): ProviderEvent {
  const ignored: ProviderEvent = { id: event.id, kind: "ignored", type: event.type };
  const object = event.data.object as unknown as Record<string, unknown> & { object?: string };
  if (intentEvents.has(event.type) && object.object === "payment_intent") {
    const intent = object as unknown as Stripe.PaymentIntent;
    const paymentId = intent.metadata?.payment_id;
    return paymentId ? { id: event.id, kind: "payment", paymentId, state: stateOfIntent(intent) } : ignored;
  }
  if (refundEvents.has(event.type) && object.object === "refund") {
    const refund = object as unknown as Stripe.Refund;
    const refundId = refund.metadata?.refund_id;
    if (!refundId) return ignored;
    if (refund.status === "succeeded" || refund.status === "pending")
      return { id: event.id, kind: "refund", refundId, reference: refund.id, outcome: "refunded" };
    if (refund.status === "failed" || refund.status === "canceled")
      return { id: event.id, kind: "refund", refundId, reference: refund.id, outcome: "failed" };
    return ignored;
  }
  if (event.type === "setup_intent.succeeded" && object.object === "setup_intent") {
    const setup = object as unknown as Stripe.SetupIntent;
    const customerReference = idOf(setup.customer);
    const methodReference = idOf(setup.payment_method);
    if (!customerReference || !methodReference) return ignored;
    return { id: event.id, kind: "setup", setupReference: setup.id, customerReference, methodReference };
  }
  return ignored;
}
