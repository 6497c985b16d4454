import { requireOwnerOrAdmin } from "../../common/auth/guards";
import { toMoney } from "../../common/money";
import { newestFirstCursor, pageSize, toConnection } from "../../common/pagination";
import { DateTimeScalar } from "../../common/scalars";
import { isUuid } from "../../common/validation";
import type { Resolvers } from "../generated/graphql";
import type { ShippingAddressSnapshot } from "../store/records";
import { countOrders, listOrders } from "../store/orderStore";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    async order(_parent, { id }, { caller, loaders }) {
      const order = isUuid(id) ? await loaders.orderById.load(id) : null;
      if (order) requireOwnerOrAdmin(caller, order.customerId, "this order");
      return order;
    },
  },
  Order: {
    async __resolveReference(reference, { caller, loaders }) {
      const order = await loaders.orderById.load(reference.id);
      if (order) requireOwnerOrAdmin(caller, order.customerId, "this order");
      return order;
    },
    customer: (order) => ({ id: order.customerId }),
    items: async (order, _args, { loaders }) =>
      (await loaders.itemsOfOrder.load(order.id)).map((item) => ({ ...item, currency: order.currency })),
    subtotal: (order) => toMoney(order.subtotalMinor, order.currency),
    total: (order) => toMoney(order.totalMinor, order.currency),
    shippingAddress: (order) => order.shippingAddress as unknown as ShippingAddressSnapshot,
    statusHistory: (order, _args, { loaders }) => loaders.historyOfOrder.load(order.id),
  },
  OrderItem: {
    product: (item) => ({ id: item.productId }),
    unitPrice: (item) => toMoney(item.unitPriceMinor, item.currency),
    lineTotal: (item) => toMoney(item.unitPriceMinor * BigInt(item.quantity), item.currency),
  },
  User: {
    __resolveReference: (reference) => ({ id: reference.id }),
    orders: async (user, args, { caller, db }) => {
      requireOwnerOrAdmin(caller, user.id, "another user's orders");
      const size = pageSize(args.first);
      const query = { customerId: user.id, size, after: args.after };
      return toConnection(await listOrders(db, query), size, newestFirstCursor, () => countOrders(db, query));
    },
  },
};
