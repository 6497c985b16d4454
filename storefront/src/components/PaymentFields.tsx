import { lazy, Suspense } from "react";
import type { MoneyValue } from "../lib/money";
import type { BillingDetails, CardCollector, CollectedCard, PaymentSetup } from "../payments/usePaymentConfiguration";
import { ErrorNotice, Pending } from "./Notice";
import { PaymentChoice } from "./PaymentChoice";

// Stripe's card form and Stripe.js are loaded only where a shop configured for Stripe takes a card.
const StripePaymentElement = lazy(() => import("../payments/StripePaymentElement"));

interface PaymentFieldsProps {
  setup: PaymentSetup;
  /** The radio group's name, for the test cards. */
  name: string;
  testCard: string;
  onTestCardChange(token: string): void;
  /** What the card will be charged, for Stripe's form. */
  amount: MoneyValue;
  collectorRef: CardCollector;
}

/**
 * How the shopper pays, as the shop is configured (`paymentConfiguration`): the simulated
 * provider's test cards, or Stripe's Payment Element. Inside a box that keeps the room of the
 * taller form (`.payment-area`) from the first render on, so neither the placeholders nor the
 * form that replaces them move what is below.
 */
export function PaymentFields(props: PaymentFieldsProps) {
  return (
    <div className="payment-area" data-testid="payment-area">
      <PaymentForm {...props} />
    </div>
  );
}

function PaymentForm({ setup, name, testCard, onTestCardChange, amount, collectorRef }: PaymentFieldsProps) {
  switch (setup.kind) {
    case "loading":
      return <Pending label="Loading the payment form…" />;
    case "unavailable":
      return <ErrorNotice>Card payments are not available right now. Please try again in a moment.</ErrorNotice>;
    case "testCards":
      return <PaymentChoice name={name} value={testCard} onChange={onTestCardChange} />;
    case "stripe":
      return (
        <Suspense fallback={<Pending label="Loading the card form…" />}>
          <StripePaymentElement publishableKey={setup.publishableKey} amount={amount} collectorRef={collectorRef} />
        </Suspense>
      );
  }
}

/** The token to place the order with: the test card chosen, or the PaymentMethod Stripe.js makes of the card entered. */
export function collectPayment(
  setup: PaymentSetup,
  testCard: string,
  collectorRef: CardCollector,
  billing: BillingDetails,
): Promise<CollectedCard> {
  if (setup.kind === "testCards") return Promise.resolve({ token: testCard });
  if (setup.kind === "stripe" && collectorRef.current) return collectorRef.current(billing);
  return Promise.resolve({
    problem:
      setup.kind === "stripe"
        ? "The card form is still loading."
        : "Card payments are not available right now. Please try again in a moment.",
  });
}
