import { Elements, PaymentElement, useElements, useStripe } from "@stripe/react-stripe-js";
import type { StripeElementsOptionsMode } from "@stripe/stripe-js";
import { useEffect, useMemo, useRef, useState } from "react";
import { ErrorNotice } from "../components/Notice";
import { toMinorUnits, type MoneyValue } from "../lib/money";
import { stripeFor } from "./stripeClient";
import type { CardCollector } from "./usePaymentConfiguration";

/** Cards in tabs; one object for the page's life (a new one each render would be compared again). */
const elementOptions = { layout: "tabs" } as const;

/**
 * Stripe's Payment Element, for cards (the payments service confirms card PaymentIntents), in
 * deferred mode: no PaymentIntent exists before the order; the element is told the amount and
 * currency the checkout is priced at, and the card entered becomes a PaymentMethod (`pm_…`) with
 * Stripe.js when the order is placed (`paymentMethodCreation: "manual"`). The order is placed with
 * it as `paymentToken`; the payments service confirms the payment with Stripe.
 *
 * Loaded on demand (`React.lazy`): its code and Stripe.js reach only shoppers who check out in a
 * shop configured for Stripe.
 */
export default function StripePaymentElement({
  publishableKey,
  amount,
  collectorRef,
}: {
  publishableKey: string;
  amount: MoneyValue;
  collectorRef: CardCollector;
}) {
  // The same promise for the page's life: Elements may not be given another Stripe instance.
  const stripe = useMemo(() => stripeFor(publishableKey), [publishableKey]);
  const [unavailable, setUnavailable] = useState(false);
  useEffect(() => {
    let current = true;
    void stripe.then((loaded) => current && setUnavailable(!loaded));
    return () => void (current = false);
  }, [stripe]);
  const minor = toMinorUnits(amount.amount);
  const currency = amount.currency.toLowerCase();
  const options = useMemo<StripeElementsOptionsMode>(
    () => ({
      mode: "payment",
      amount: minor,
      currency,
      paymentMethodCreation: "manual",
      paymentMethodTypes: ["card"],
      appearance: { theme: "stripe", variables: { colorPrimary: "#1d4ed8", borderRadius: "6px" } },
    }),
    [minor, currency],
  );
  if (unavailable)
    return (
      <ErrorNotice>
        The card form could not be loaded from Stripe. Check your connection, then reload the page.
      </ErrorNotice>
    );
  return (
    <Elements stripe={stripe} options={options}>
      <CardForm collectorRef={collectorRef} />
    </Elements>
  );
}

function CardForm({ collectorRef }: { collectorRef: CardCollector }) {
  const stripe = useStripe();
  const elements = useElements();
  const [ready, setReady] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  // The PaymentMethod made of the card as entered: placing the order again (after an error)
  // pays with the same one; editing the card makes a new one.
  const made = useRef<string | null>(null);

  useEffect(() => {
    if (!stripe || !elements) return;
    collectorRef.current = async (billing) => {
      if (made.current) return { token: made.current };
      const submitted = await elements.submit();
      if (submitted.error) return { problem: submitted.error.message ?? "Check the card details." };
      const { error, paymentMethod } = await stripe.createPaymentMethod({
        elements,
        params: { billing_details: billing },
      });
      if (error || !paymentMethod) return { problem: error?.message ?? "This card cannot be used. Try another." };
      made.current = paymentMethod.id;
      return { token: paymentMethod.id };
    };
    return () => void (collectorRef.current = null);
  }, [stripe, elements, collectorRef]);

  return (
    // Its room is kept by `.payment-area` (components/PaymentFields.tsx) while Stripe.js loads it.
    <div className="stripe-payment" aria-busy={!ready || undefined}>
      <PaymentElement
        options={elementOptions}
        onReady={() => setReady(true)}
        onChange={() => void (made.current = null)}
        onLoadError={(event) => setLoadError(event.error.message ?? "The card form could not be loaded.")}
      />
      {loadError ? <ErrorNotice>{loadError}</ErrorNotice> : null}
    </div>
  );
}
