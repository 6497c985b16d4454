import type { CheckoutCostFieldsFragment } from "../generated/graphql";
import { Money } from "./Money";

/**
 * A priced checkout, line by line: subtotal, each discount with its code (or promotion), shipping
 * with its method, tax, and what the shopper pays. The checkout and the order page show the same
 * figures the API priced; nothing is added up here. `testId` prefixes each figure's test id.
 */
export function CostBreakdown({ cost, testId }: { cost: CheckoutCostFieldsFragment; testId: string }) {
  return (
    <dl className="cost-breakdown">
      <div>
        <dt>Subtotal</dt>
        <dd data-testid={`${testId}-subtotal`}>
          <Money value={cost.subtotal} />
        </dd>
      </div>
      {cost.discounts.map((discount) => (
        <div key={discount.promotionId}>
          <dt>
            {discount.code ? `Discount ${discount.code}` : "Discount"}{" "}
            <span className="muted">({discount.promotion})</span>
          </dt>
          <dd data-testid={`${testId}-discount`}>
            −<Money value={discount.amount} />
          </dd>
        </div>
      ))}
      <div>
        <dt>Shipping{cost.shippingMethod ? ` (${cost.shippingMethod.name})` : ""}</dt>
        <dd data-testid={`${testId}-shipping`}>
          <Money value={cost.shipping} />
        </dd>
      </div>
      <div>
        <dt>{cost.pricesIncludeTax ? "Tax (included)" : "Tax"}</dt>
        <dd data-testid={`${testId}-tax`}>
          <Money value={cost.tax} />
        </dd>
      </div>
      <div className="cost-total">
        <dt>Total</dt>
        <dd>
          <strong data-testid={`${testId}-total`}>
            <Money value={cost.total} />
          </strong>
        </dd>
      </div>
    </dl>
  );
}
