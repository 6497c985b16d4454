import { randomUUID } from "node:crypto";
import { graphql, graphqlData } from "./graphqlClient";
import { waitFor } from "./waitFor";

export const orderFields = `
  id number status cancellationReason
  items { product { id } quantity unitPrice { amount currency } lineTotal { amount } }
  subtotal { amount currency } total { amount currency }
  shippingAddress { name line1 city postalCode country }
  statusHistory { status reason at }
  shipment { carrier trackingNumber shippedAt deliveredAt }
  payment { id status amount { amount currency } refundedAmount { amount } failureReason }
`;

export interface OrderView {
  id: string;
  number: string;
  status: string;
  cancellationReason: string | null;
  items: Array<{
    product: { id: string };
    quantity: number;
    unitPrice: { amount: string; currency: string };
    lineTotal: { amount: string };
  }>;
  total: { amount: string; currency: string };
  shippingAddress: { name: string | null; line1: string; city: string; postalCode: string; country: string };
  statusHistory: Array<{ status: string; reason: string | null; at: string }>;
  shipment: { carrier: string; trackingNumber: string; shippedAt: string; deliveredAt: string | null } | null;
  payment: {
    id: string;
    status: string;
    amount: { amount: string };
    refundedAmount: { amount: string };
    failureReason: string | null;
  } | null;
}

export const address = {
  name: "Ada Lovelace",
  line1: "12 Analytical Row",
  city: "London",
  postalCode: "N1 7AA",
  country: "GB",
};

/** A line to order: a variant, or a product without options. */
export type OrderLineInput = { productId: string; quantity: number } | { variantId: string; quantity: number };

export function placeOrderInput(
  items: OrderLineInput[] | null,
  paymentToken = "tok_visa",
  extra: Record<string, unknown> = {},
) {
  return {
    idempotencyKey: randomUUID(),
    ...(items ? { items } : {}),
    shippingAddress: address,
    paymentToken,
    ...extra,
  };
}

export async function placeOrder(url: string, token: string, input: Record<string, unknown>): Promise<OrderView> {
  const { placeOrder: order } = await graphqlData<{ placeOrder: OrderView }>(
    url,
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id number status } }`,
    {
      token,
      variables: { input },
    },
  );
  return order;
}

export async function fetchOrder(url: string, token: string, id: string): Promise<OrderView> {
  const { order } = await graphqlData<{ order: OrderView }>(
    url,
    `query($id: ID!) { order(id: $id) { ${orderFields} } }`,
    { token, variables: { id } },
  );
  return order;
}

/** Polls the order through the router until `done` holds for it. */
export async function waitForOrder(
  url: string,
  token: string,
  id: string,
  done: (order: OrderView) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<OrderView> {
  return waitFor(
    async () => {
      const order = await fetchOrder(url, token, id);
      return done(order) ? order : undefined;
    },
    what,
    timeoutMs,
  );
}

export const settled = (order: OrderView) => !["PENDING", "AWAITING_PAYMENT"].includes(order.status);

export async function stockOf(
  url: string,
  adminToken: string,
  productId: string,
): Promise<{ onHand: number; reserved: number; available: number }> {
  const { product } = await graphqlData(
    url,
    `query($id: ID!) { product(id: $id) { stock { onHand reserved available } } }`,
    { token: adminToken, variables: { id: productId } },
  );
  return product.stock;
}

export async function errorCodeOf(
  url: string,
  query: string,
  token: string | undefined,
  variables: Record<string, unknown>,
) {
  return (await graphql(url, query, { token, variables })).errors?.[0]?.extensions;
}

/** A variant's stock, all locations together and location by location (back office). */
export interface VariantStock {
  onHand: number;
  reserved: number;
  available: number;
  byLocation: Array<{ location: { id: string }; onHand: number; reserved: number; available: number }>;
}

export async function variantStockOf(url: string, adminToken: string, variantId: string): Promise<VariantStock> {
  const { productVariant } = await graphqlData(
    url,
    `query($id: ID!) { productVariant(id: $id) { stock { onHand reserved available byLocation { location { id } onHand reserved available } } } }`,
    { token: adminToken, variables: { id: variantId } },
  );
  return productVariant.stock;
}

/** A variant's stock at one location, as `byLocation` tells it (zero where it holds nothing). */
export function atLocation(stock: VariantStock, locationId: string) {
  const row = stock.byLocation.find((each) => each.location.id === locationId);
  return { onHand: row?.onHand ?? 0, reserved: row?.reserved ?? 0 };
}
