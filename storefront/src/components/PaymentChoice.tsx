import { testCards } from "../lib/testCards";

/** The card to pay with: the simulated provider's test cards (see lib/testCards.ts). */
export function PaymentChoice({
  name,
  value,
  onChange,
}: {
  name: string;
  value: string;
  onChange(token: string): void;
}) {
  return (
    <fieldset className="payment-choice">
      <legend>Payment (test cards)</legend>
      {testCards.map((card) => (
        <label key={card.token} className="radio">
          <input
            type="radio"
            name={name}
            value={card.token}
            checked={value === card.token}
            onChange={() => onChange(card.token)}
          />
          {card.label}
        </label>
      ))}
    </fieldset>
  );
}
