import { useQuery } from "@apollo/client/react";
import type { MutableRefObject } from "react";
import { PaymentConfigurationQuery } from "../operations/payments";

/**
 * How this shop takes payment, asked once and kept in the cache: `stripe` with its publishable
 * key (the Payment Element), or `testCards` (the simulated provider's tokens). `unavailable`
 * when the API cannot tell (payments down), or Stripe has no publishable key configured.
 */
export type PaymentSetup =
  | { kind: "loading" }
  | { kind: "testCards" }
  | { kind: "stripe"; publishableKey: string }
  | { kind: "unavailable"; error?: unknown };

export function usePaymentSetup(): PaymentSetup {
  const { data, error, loading } = useQuery(PaymentConfigurationQuery, { fetchPolicy: "cache-first" });
  const configuration = data?.paymentConfiguration;
  if (!configuration) return loading ? { kind: "loading" } : { kind: "unavailable", error };
  if (configuration.provider === "SIMULATED") return { kind: "testCards" };
  return configuration.publishableKey
    ? { kind: "stripe", publishableKey: configuration.publishableKey }
    : { kind: "unavailable" };
}

/** What the shopper's card form gives to pay with: the provider's token, or why there is none yet. */
export type CollectedCard = { token: string } | { problem: string };

/**
 * Set by the Stripe card form once it is ready: makes a PaymentMethod of the card entered (the
 * same one again while the card is unchanged, so a retried order pays with the same method).
 */
export type CardCollector = MutableRefObject<((billing: BillingDetails) => Promise<CollectedCard>) | null>;

export interface BillingDetails {
  name?: string;
  email?: string;
}
