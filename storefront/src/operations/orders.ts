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
    payment {
      id
      status
      failureReason
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

export const OrderQuery = graphql(`
  query StorefrontOrder($id: ID!) {
    order(id: $id) {
      ...OrderDetail
    }
  }
`);

/** The order page's live feed: the order as it is, then one message per change. */
export const OrderStatusSubscription = graphql(`
  subscription StorefrontOrderStatus($orderId: ID!) {
    orderStatusChanged(orderId: $orderId) {
      ...OrderDetail
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
