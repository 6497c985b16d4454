import type { SimulatedPaymentProvider } from "../../subgraphs/payments";
import { FakeStripe } from "./fakeStripe/fakeStripe";

/** Where a payment stands at the provider, in the same words for every provider. */
export type ProviderPaymentStatus = "captured" | "declined" | "requires_action" | "processing" | "canceled";

/**
 * One payment provider as a checkout test drives it, so that every saga path runs against each
 * (the simulated provider, and Stripe's SDK against the fake Stripe server): the settings that
 * select it, its test cards, and what its customer and its dashboard would show.
 */
export interface ProviderUnderTest {
  name: "simulated" | "stripe";
  /** The payments service's settings that select this provider. */
  settings: Record<string, string>;
  /** Test cards by what they do, as this provider spells them. */
  cards: { paid: string; declined: string; insufficientFunds: string; authenticate: string };
  /** Once the payments service runs (`url` is its /graphql): where the provider's webhooks go. */
  attach(paymentsUrl: string, simulated: SimulatedPaymentProvider): void;
  /**
   * The customer completes (or fails) the bank's authentication; the provider notifies the
   * service, unless `notify` is false (its notification is late: the test sends it).
   */
  completeAction(reference: string, outcome: "succeeded" | "failed", options?: { notify?: boolean }): Promise<void>;
  /** From now on the provider's notifications never arrive (a misconfigured endpoint): only look-ups tell. */
  loseNotifications(): void;
  /** Test cards this provider cannot be reached with (every capture fails transiently) until `restore` is called. */
  unreachable(): { card: string; restore(): void };
  /** The customer enters a card in the provider's setup form (the setup named by its client secret). */
  completeSetup(clientSecret: string): Promise<void>;
  /** Captures wait, unanswered, until the returned function is called. */
  holdCaptures(): () => void;
  isCapturing(paymentId: string): boolean;
  /** Where each of the provider's payments for this payment stands. */
  paymentsAt(paymentId: string): ProviderPaymentStatus[];
  /** A notification of a payment's new state, signed as this provider signs it, as an HTTP request to send. */
  notification(
    paymentId: string,
    reference: string,
    status: "captured" | "canceled",
  ): { path: string; body: string; headers: Record<string, string> };
  /** Notifications the service did not accept (anything but 200), as the provider's dashboard lists them. */
  refusedNotifications(): Array<{ type: string; status: number | "failed" }>;
  /** The provider's refunds of this payment, by amount in minor units. */
  refundsOf(paymentId: string): bigint[];
  close(): Promise<void>;
}

const setupOf = (clientSecret: string) => clientSecret.slice(0, clientSecret.indexOf("_secret_"));

/** The simulated provider: the payments service's own instance, driven in-process. */
export function simulatedProvider(): ProviderUnderTest {
  let provider!: SimulatedPaymentProvider;
  return {
    name: "simulated",
    settings: { PAYMENT_PROVIDER: "simulated" },
    cards: {
      paid: "tok_visa",
      declined: "tok_declined",
      insufficientFunds: "tok_insufficient_funds",
      authenticate: "tok_3ds_required",
    },
    attach: (_url, simulated) => void (provider = simulated),
    completeAction: (reference, outcome, options) => provider.completeAction(reference, outcome, options),
    unreachable: () => ({ card: "tok_unreachable", restore: () => undefined }),
    // Captures and refunds by token notify nothing in-process; a lost notification is one never sent.
    loseNotifications: () => undefined,
    // Delivered in-process: one the service fails to apply fails the call that sent it.
    refusedNotifications: () => [],
    completeSetup: async (clientSecret) => void (await provider.completeSetup(setupOf(clientSecret), "tok_mastercard")),
    holdCaptures: () => provider.holdCaptures(),
    isCapturing: (paymentId) => provider.isCapturing(`capture:${paymentId}`),
    paymentsAt: (paymentId) => provider.statesOfPayment(paymentId),
    notification(paymentId, reference, status) {
      const state = { status, reference } as const;
      const signed = provider.signNotification({
        id: `evt_sim_${paymentId}_${status}`,
        kind: "payment",
        paymentId,
        state,
      });
      return { path: "/webhooks/simulated", body: signed.body, headers: { "simulated-signature": signed.signature } };
    },
    refundsOf: (paymentId) =>
      provider.log
        .filter(
          (entry) =>
            entry.kind === "refund" &&
            entry.result === "refunded" &&
            !!entry.captureReference &&
            provider.paymentIdOf(entry.captureReference) === paymentId,
        )
        .map((entry) => entry.amountMinor),
    close: () => Promise.resolve(),
  };
}

const stripeStatus: Record<string, ProviderPaymentStatus> = {
  succeeded: "captured",
  requires_payment_method: "declined",
  requires_action: "requires_action",
  processing: "processing",
  canceled: "canceled",
};

/** Stripe, through the official SDK, against a fake Stripe server started for the test file. */
export async function stripeProvider(): Promise<ProviderUnderTest> {
  const stripe = await FakeStripe.start();
  let webhookUrl: string | undefined;
  return {
    name: "stripe",
    // A short timeout: a held capture must not outlast the SDK's patience in a test.
    settings: { ...stripe.settings(), STRIPE_TIMEOUT_MS: "20000" },
    cards: {
      paid: "pm_card_visa",
      declined: "pm_card_visa_chargeDeclined",
      insufficientFunds: "pm_card_visa_chargeDeclinedInsufficientFunds",
      authenticate: "pm_card_threeDSecure2Required",
    },
    attach(url) {
      webhookUrl = new URL("/webhooks/stripe", url).toString();
      stripe.deliverWebhooksTo(webhookUrl);
    },
    async completeAction(reference, outcome, options = {}) {
      if (options.notify === false) stripe.deliverWebhooksTo(undefined);
      stripe.completeAction(reference, outcome);
      stripe.deliverWebhooksTo(webhookUrl);
      await stripe.webhooksDelivered();
    },
    loseNotifications() {
      webhookUrl = undefined;
      stripe.deliverWebhooksTo(undefined);
    },
    unreachable() {
      stripe.failNext({ kind: "server_error" }, { method: "POST", path: /^\/v1\/payment_intents$/, times: 1_000 });
      return { card: "pm_card_visa", restore: () => stripe.clearFaults() };
    },
    async completeSetup(clientSecret) {
      stripe.completeSetup(setupOf(clientSecret), "pm_card_mastercard");
      await stripe.webhooksDelivered();
    },
    refusedNotifications: () =>
      stripe.deliveries.filter((delivery) => delivery.status !== 200).map(({ type, status }) => ({ type, status })),
    holdCaptures: () => stripe.hold({ method: "POST", path: /^\/v1\/payment_intents$/ }),
    isCapturing: (paymentId) => stripe.isHolding(`capture:${paymentId}`),
    paymentsAt: (paymentId) => stripe.intentsOf(paymentId).map((intent) => stripeStatus[intent.status as string]!),
    notification(paymentId, reference, status) {
      const intent = stripe.account.intents.get(reference) ?? { id: reference, metadata: { payment_id: paymentId } };
      const type = status === "captured" ? "payment_intent.succeeded" : "payment_intent.canceled";
      const body = JSON.stringify(
        stripe.event(type, {
          ...intent,
          object: "payment_intent",
          status: status === "captured" ? "succeeded" : "canceled",
        }),
      );
      return { path: "/webhooks/stripe", body, headers: { "stripe-signature": stripe.signature(body) } };
    },
    refundsOf: (paymentId) => {
      const intents = new Set(stripe.intentsOf(paymentId).map((intent) => intent.id));
      return [...stripe.account.refunds.values()]
        .filter((refund) => intents.has(refund.payment_intent as string) && refund.status === "succeeded")
        .map((refund) => BigInt(refund.amount as number));
    },
    close: () => stripe.close(),
  };
}
