import { graphql } from "../generated";

/**
 * The priced checkout (one calculation prices carts and orders): subtotal, the shipping method
 * priced, every discount with its code, tax and the total. A checkout's and an order's cost are
 * the same type, so the checkout and the order page show them with one component.
 */
export const CheckoutCostFragment = graphql(`
  fragment CheckoutCostFields on CheckoutCost {
    subtotal {
      amount
      currency
    }
    shipping {
      amount
      currency
    }
    shippingMethod {
      id
      name
    }
    discounts {
      amount {
        amount
        currency
      }
      code
      promotion
      promotionId
    }
    discountTotal {
      amount
      currency
    }
    tax {
      amount
      currency
    }
    pricesIncludeTax
    total {
      amount
      currency
    }
  }
`);

/**
 * What the checkout needs to price the cart at the address being typed: the shipping methods
 * offered there (cheapest first, with their prices for this cart), the codes and method chosen,
 * and the cost. Without a destination (no country yet) the API prices without shipping and tax.
 */
export const CheckoutPricingQuery = graphql(`
  query StorefrontCheckoutPricing($token: String, $destination: DestinationInput) {
    cart(token: $token) {
      id
      discountCodes
      shippingMethodId
      availableShippingMethods(destination: $destination) {
        id
        name
        zoneName
        price {
          amount
          currency
        }
      }
      cost(destination: $destination) {
        ...CheckoutCostFields
      }
    }
  }
`);

/** Sets the cart's codes; a code that does not apply now is BAD_USER_INPUT on `codes` with `extensions.reason`. */
export const CartDiscountCodesUpdateMutation = graphql(`
  mutation StorefrontCartDiscountCodesUpdate($cartToken: String, $codes: [String!]!) {
    cartDiscountCodesUpdate(cartToken: $cartToken, codes: $codes) {
      id
      discountCodes
    }
  }
`);

/** Chooses the cart's shipping method (null: back to the cheapest). */
export const CartShippingMethodSelectMutation = graphql(`
  mutation StorefrontCartShippingMethodSelect($cartToken: String, $shippingMethodId: ID) {
    cartShippingMethodSelect(cartToken: $cartToken, shippingMethodId: $shippingMethodId) {
      id
      shippingMethodId
    }
  }
`);
