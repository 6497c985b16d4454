import { graphql } from "../generated";

/**
 * The cart: the signed-in shopper's (no token), or a guest's, addressed by the secret token
 * `cartCreate` answered (kept in the browser: cart/guestCartToken.ts). Lines are changed by line
 * id; a guest cart is merged into the account on sign-in (`cartMerge`).
 */
export const CartLinesFragment = graphql(`
  fragment CartLines on Cart {
    id
    itemCount
    items {
      id
      quantity
      product {
        id
        name
        slug
      }
      variant {
        id
        title
        image {
          url
          alt
        }
        stock {
          available
        }
      }
      unitPrice {
        amount
        currency
      }
      lineTotal {
        amount
        currency
      }
    }
    subtotal {
      amount
      currency
    }
  }
`);

export const CartQuery = graphql(`
  query StorefrontCart($token: String) {
    cart(token: $token) {
      ...CartLines
    }
  }
`);

export const CartCreateMutation = graphql(`
  mutation StorefrontCartCreate {
    cartCreate {
      cartToken
      cart {
        ...CartLines
      }
    }
  }
`);

export const CartLinesAddMutation = graphql(`
  mutation StorefrontCartLinesAdd($cartToken: String, $lines: [CartLineInput!]!) {
    cartLinesAdd(cartToken: $cartToken, lines: $lines) {
      ...CartLines
    }
  }
`);

export const CartLinesUpdateMutation = graphql(`
  mutation StorefrontCartLinesUpdate($cartToken: String, $lines: [CartLineUpdateInput!]!) {
    cartLinesUpdate(cartToken: $cartToken, lines: $lines) {
      ...CartLines
    }
  }
`);

/** On sign-in: the guest cart's lines into the account's cart, and what could not be taken in full. */
export const CartMergeMutation = graphql(`
  mutation StorefrontCartMerge($cartToken: String!) {
    cartMerge(cartToken: $cartToken) {
      cart {
        ...CartLines
      }
      adjustments {
        quantity
        requestedQuantity
        reason
      }
    }
  }
`);
