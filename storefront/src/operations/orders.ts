import { graphql } from "../generated";

export const OrderDetailFragment = graphql(`
  fragment OrderDetail on Order {
    id
    number
    status
    cancellationReason
    createdAt
    items {
      id
      productName
      variantTitle
      quantity
      variant {
        id
      }
      product {
        id
        slug
      }
      image {
        url
        alt
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
    total {
      amount
      currency
    }
    cost {
      ...CheckoutCostFields
    }
    shippingAddress {
      name
      line1
      line2
      city
      region
      postalCode
      country
    }
    statusHistory {
      status
      at
    }
    shipment {
      carrier
      trackingNumber
    }
  }
`);

/**
 * The payment, which the order's customer may read (a guest reads it with the order's access
 * token: `GuestOrderPaymentQuery`); while it waits for the customer (3-D Secure), what they must
 * do (`nextAction`).
 */
export const OrderPaymentFragment = graphql(`
  fragment OrderPayment on Order {
    payment {
      id
      status
      failureReason
      nextAction {
        type
        clientSecret
        redirectUrl
      }
    }
  }
`);

export const PlaceOrderMutation = graphql(`
  mutation StorefrontPlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
      number
      status
    }
  }
`);

/**
 * A guest's checkout of their cart: answers at once (PENDING), like `placeOrder`, with the order's
 * access token (only here), which the order page needs to read the payment (3-D Secure).
 */
export const PlaceGuestOrderMutation = graphql(`
  mutation StorefrontPlaceGuestOrder($input: PlaceGuestOrderInput!) {
    placeGuestOrder(input: $input) {
      id
      number
      status
      guestAccessToken
    }
  }
`);

/**
 * A guest's order by number and email. Guests have no live feed (`orderStatusChanged` is for the
 * order's customer), so the order page asks again every few seconds until the order settles.
 */
export const GuestOrderQuery = graphql(`
  query StorefrontGuestOrder($number: String!, $email: String!) {
    guestOrder(number: $number, email: $email) {
      ...OrderDetail
      guestEmail
    }
  }
`);

/**
 * A guest's order placed in this browser, with its payment read by the order's access token:
 * its decline reason, and while 3-D Secure waits, its `nextAction`. A token the API refuses
 * (expired) is forgotten and the order read without it (`GuestOrderQuery`).
 */
export const GuestOrderPaymentQuery = graphql(`
  query StorefrontGuestOrderPayment($number: String!, $email: String!, $accessToken: String!) {
    guestOrder(number: $number, email: $email) {
      ...OrderDetail
      guestEmail
      payment(accessToken: $accessToken) {
        id
        status
        failureReason
        nextAction {
          type
          clientSecret
          redirectUrl
        }
      }
    }
  }
`);

export const OrderQuery = graphql(`
  query StorefrontOrder($id: ID!) {
    order(id: $id) {
      ...OrderDetail
      ...OrderPayment
    }
  }
`);

/** The order page's live feed: the order as it is, then one message per change. */
export const OrderStatusSubscription = graphql(`
  subscription StorefrontOrderStatus($orderId: ID!) {
    orderStatusChanged(orderId: $orderId) {
      ...OrderDetail
      ...OrderPayment
    }
  }
`);

export const MyOrdersQuery = graphql(`
  query StorefrontMyOrders($first: Int, $after: String) {
    me {
      id
      orders(first: $first, after: $after) {
        totalCount
        edges {
          node {
            id
            number
            status
            createdAt
            total {
              amount
              currency
            }
          }
        }
      }
    }
  }
`);

/** Every order of the signed-in shopper as it changes, for the live list of "My orders". */
export const MyOrderUpdatesSubscription = graphql(`
  subscription StorefrontMyOrderUpdates {
    myOrderUpdates {
      id
      number
      status
    }
  }
`);
