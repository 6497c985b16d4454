import { graphql } from "../generated";

/**
 * The signed-in shopper's cart. Guest carts (a cart id kept in the browser, merged on sign-in)
 * come with the API's guest cart: see storefront/README.md, "When guest carts land".
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
  query StorefrontCart {
    cart {
      ...CartLines
    }
  }
`);

export const AddToCartMutation = graphql(`
  mutation StorefrontAddToCart($variantId: ID!, $quantity: Int!) {
    addToCart(variantId: $variantId, quantity: $quantity) {
      ...CartLines
    }
  }
`);

export const UpdateCartLineMutation = graphql(`
  mutation StorefrontUpdateCartLine($variantId: ID!, $quantity: Int!) {
    updateCartItem(variantId: $variantId, quantity: $quantity) {
      ...CartLines
    }
  }
`);
