import { GraphQLError } from "graphql";
import { requireOwnerOrPermission, requirePermission } from "../../common/auth/guards";
import { ErrorCode } from "../../common/errors";
import { toMoney } from "../../common/money";
import { newestFirstCursor, pageSize, toConnection } from "../../common/pagination";
import { DateTimeScalar } from "../../common/scalars";
import type { Resolvers } from "../generated/graphql";
import type { ShippingAddressSnapshot } from "../store/records";

type SelectedOptions = Array<{ name: string; value: string }>;
import { countOrders, listOrders } from "../store/orderStore";
import { Mutation } from "./Mutation";
import { orderSearchQuery } from "./OrderSearch";
import { Query } from "./Query";
import { costOfOrder, costOfPriced, shippingOption } from "./costView";
import { settingsTypes } from "./settings";
import { guestAccessTokenOf } from "../domain/guestOrders";
import { priceCart, validateDestinationInput } from "../domain/pricing/cartPricing";
import { findCartChoices } from "../store/cartChoiceStore";

const servedByTheRouter = () => {
  throw new GraphQLError("Subscribe through the router, over WebSocket (graphql-ws) on /graphql.", {
    extensions: { code: ErrorCode.BAD_REQUEST },
  });
};

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: { ...Query, ...orderSearchQuery },
  Mutation,
  // Declared here so the supergraph (and Sandbox) has them; the router serves them itself.
  Subscription: {
    orderStatusChanged: { subscribe: servedByTheRouter },
    myOrderUpdates: { subscribe: servedByTheRouter },
  },
  Order: {
    async __resolveReference(reference, { caller, loaders }) {
      const order = await loaders.orderById.load(reference.id);
      if (order) requireOwnerOrPermission(caller, order.customerId, "ORDERS", "this order");
      return order;
    },
    // A guest's order has no account until it is attached to the one that verified its email.
    customer: (order) => (order.guestEmail && !order.attachedAt ? null : { id: order.customerId }),
    // Only in `placeGuestOrder`'s answer: never stored, never read again.
    guestAccessToken: (order) => guestAccessTokenOf(order),
    billingAddress: (order) => order.billingAddress as unknown as ShippingAddressSnapshot | null,
    items: async (order, _args, { loaders }) =>
      (await loaders.itemsOfOrder.load(order.id)).map((item) => ({ ...item, currency: order.currency })),
    subtotal: (order) => toMoney(order.subtotalMinor, order.currency),
    total: (order) => toMoney(order.totalMinor, order.currency),
    shippingAddress: (order) => order.shippingAddress as unknown as ShippingAddressSnapshot,
    statusHistory: (order, _args, { loaders }) => loaders.historyOfOrder.load(order.id),
    shipment: (order) => (order.shippedAt ? order : null),
    incidents: (order, _args, { caller, loaders }) => {
      requirePermission(caller, "ORDERS");
      return loaders.incidentsOfOrder.load(order.id);
    },
    fulfillments: (order, _args, { loaders }) => loaders.fulfillmentsOfOrder.load(order.id),
    returns: async (order, _args, { loaders }) =>
      (await loaders.returnsOfOrder.load(order.id)).map((each) => ({ ...each, currency: order.currency })),
    edits: async (order, _args, { loaders }) =>
      (await loaders.editsOfOrder.load(order.id)).map((each) => ({ ...each, currency: order.currency })),
    // An exchange order is its customer's as its original order is: the same owner sees both.
    exchangeFor: async (order, _args, { loaders }) => {
      if (!order.exchangeForReturnId || !order.originalOrderId) return null;
      const returns = await loaders.returnsOfOrder.load(order.originalOrderId);
      const found = returns.find((each) => each.id === order.exchangeForReturnId);
      return found ? { ...found, currency: order.currency } : null;
    },
    originalOrder: (order, _args, { loaders }) =>
      order.originalOrderId ? loaders.orderById.load(order.originalOrderId) : null,
    cost: async (order, _args, { loaders }) =>
      costOfOrder(order, await loaders.discountsOfOrder.load(order.id), await loaders.taxLinesOfOrder.load(order.id)),
  },
  OrderIncident: {
    order: async (incident, _args, { loaders }) => {
      const order = await loaders.orderById.load(incident.orderId);
      if (!order) throw new Error(`order ${incident.orderId} of incident ${incident.id} vanished`);
      return order;
    },
    deadLetter: (incident) => Number(incident.deadLetterSeq),
  },
  Fulfillment: {
    carrier: (fulfillment, _args, { loaders }) =>
      fulfillment.carrierId ? loaders.carrierById.load(fulfillment.carrierId) : null,
  },
  OrderEdit: {
    editedBy: (edit) => edit.editorKind as "CUSTOMER" | "STAFF",
    lines: (edit) =>
      edit.lines as Array<{ orderItemId: string; name: string; previousQuantity: number; quantity: number }>,
    previousTotal: (edit) => toMoney(edit.previousTotalMinor, edit.currency),
    total: (edit) => toMoney(edit.totalMinor, edit.currency),
    refund: (edit) => toMoney(edit.refundMinor, edit.currency),
  },
  OrderReturn: {
    refundAmount: (orderReturn) =>
      orderReturn.refundMinor === null ? null : toMoney(orderReturn.refundMinor, orderReturn.currency),
    refundedAmount: (orderReturn) => toMoney(orderReturn.refundedMinor, orderReturn.currency),
    exchangeLines: (orderReturn) =>
      orderReturn.exchangeLines.map((line) => ({ ...line, currency: orderReturn.currency })),
    exchangeTotal: (orderReturn) =>
      orderReturn.exchangeTotalMinor === null ? null : toMoney(orderReturn.exchangeTotalMinor, orderReturn.currency),
    exchangeOrder: (orderReturn, _args, { loaders }) =>
      orderReturn.exchangeOrderId ? loaders.orderById.load(orderReturn.exchangeOrderId) : null,
    exchangeCredit: (orderReturn) => toMoney(orderReturn.exchangeCreditMinor, orderReturn.currency),
  },
  ExchangeLine: {
    variant: (line) => ({ id: line.variantId }),
    unitPrice: (line) => toMoney(line.unitPriceMinor, line.currency),
  },
  Shipment: {
    carrier: (order) => order.carrier ?? "",
    trackingNumber: (order) => order.trackingNumber ?? "",
    shippedAt: (order) => order.shippedAt!,
  },
  OrderItem: {
    product: (item) => ({ id: item.productId }),
    variant: (item) => ({ id: item.variantId }),
    selectedOptions: (item) => item.selectedOptions as unknown as SelectedOptions,
    image: (item) => (item.imageUrl ? { url: item.imageUrl, alt: item.imageAlt } : null),
    unitPrice: (item) => toMoney(item.unitPriceMinor, item.currency),
    lineTotal: (item) => toMoney(item.unitPriceMinor * BigInt(item.quantity), item.currency),
  },
  Cart: {
    subtotal: (cart) =>
      toMoney(
        cart.items.reduce((sum, item) => sum + item.unitPriceMinor * BigInt(item.quantity), 0n),
        cart.currency,
      ),
    itemCount: (cart) => cart.items.reduce((sum, item) => sum + item.quantity, 0),
    buyerIdentity: (cart) => cart.buyer,
    discountCodes: async (cart, _args, { db }) => (await findCartChoices(db, cart.id)).discountCodes,
    shippingMethodId: async (cart, _args, { db }) => (await findCartChoices(db, cart.id)).shippingMethodId,
    availableShippingMethods: async (cart, { destination }, context) => {
      const priced = await priceCart(context, cart, validateDestinationInput(destination));
      return priced.availableShippingMethods.map((method) => shippingOption(method, priced.currency));
    },
    cost: async (cart, { destination }, context) =>
      costOfPriced(await priceCart(context, cart, validateDestinationInput(destination))),
  },
  CartMergeAdjustment: {
    variant: (adjustment) => ({ id: adjustment.variantId }),
  },
  CartItem: {
    product: (item) => ({ id: item.productId }),
    variant: (item) => ({ id: item.variantId }),
    unitPrice: (item) => toMoney(item.unitPriceMinor, item.currency),
    lineTotal: (item) => toMoney(item.unitPriceMinor * BigInt(item.quantity), item.currency),
  },
  ...settingsTypes,
  User: {
    __resolveReference: (reference) => ({ id: reference.id }),
    orders: async (user, args, { caller, db }) => {
      requireOwnerOrPermission(caller, user.id, "ORDERS", "another user's orders");
      const size = pageSize(args.first);
      const query = { customerId: user.id, size, after: args.after };
      return toConnection(await listOrders(db, query), size, newestFirstCursor, () => countOrders(db, query));
    },
  },
};
