import type { Stripe } from "@stripe/stripe-js";
import { loadStripe } from "@stripe/stripe-js/pure";

/**
 * Stripe.js, loaded from js.stripe.com the first time a page needs it (this module is itself
 * loaded on demand: only a checkout or an order page of a shop configured for Stripe imports
 * it), once per publishable key. A failed load is forgotten, so the next page tries again.
 */
const loading = new Map<string, Promise<Stripe | null>>();

export function stripeFor(publishableKey: string): Promise<Stripe | null> {
  let stripe = loading.get(publishableKey);
  if (!stripe) {
    stripe = loadStripe(publishableKey).catch(() => {
      loading.delete(publishableKey);
      return null;
    });
    loading.set(publishableKey, stripe);
  }
  return stripe;
}

export type ActionOutcome = { done: true } | { problem: string };

/**
 * Completes a payment that waits for its customer (3-D Secure) in this page, with the client
 * secret the API gives the order's customer (`Payment.nextAction`): Stripe.js shows the bank's
 * authentication and confirms the PaymentIntent. The payments service learns the outcome from
 * Stripe (its webhook), and the order moves on.
 */
export async function handleNextAction(publishableKey: string, clientSecret: string): Promise<ActionOutcome> {
  const stripe = await stripeFor(publishableKey);
  if (!stripe) return { problem: "The payment form could not be loaded. Check your connection and try again." };
  const { error } = await stripe.handleNextAction({ clientSecret });
  if (error) return { problem: error.message ?? "Your bank did not confirm the payment." };
  return { done: true };
}
