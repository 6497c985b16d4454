import { requireCaller, requireOwnerOrPermission, requirePermission } from "../../common/auth/guards";
import { NotFoundError } from "../../common/errors";
import { newestFirstCursor, pageSize, toConnection } from "../../common/pagination";
import { isUuid } from "../../common/validation";
import { showCart } from "../domain/cart";
import { cartOwnerOf } from "../domain/cartAccess";
import { lookUpGuestOrder } from "../domain/guestOrders";
import type { QueryResolvers } from "../generated/graphql";
import { listOpenIncidents } from "../store/incidentStore";
import { listCarriers } from "../domain/fulfillment/carriers";
import { countOrders, findOrdersByIds, listOrders } from "../store/orderStore";
import { listReturns } from "../store/returnStore";
import { settingsQueries } from "./settings";

export const Query: QueryResolvers = {
  async order(_parent, { id }, { caller, loaders }) {
    requireCaller(caller);
    const order = isUuid(id) ? await loaders.orderById.load(id) : null;
    if (!order) throw new NotFoundError("No order has this id.");
    requireOwnerOrPermission(caller, order.customerId, "ORDERS", "this order");
    return order;
  },
  async orders(_parent, args, { caller, db }) {
    requirePermission(caller, "ORDERS");
    const size = pageSize(args.first);
    const query = { status: args.status ?? null, size, after: args.after };
    return toConnection(await listOrders(db, query), size, newestFirstCursor, () => countOrders(db, query));
  },
  cart: async (_parent, { token }, context) =>
    showCart(context, await cartOwnerOf(context.db, context.caller, token, "token")),
  guestOrder: (_parent, { number, email }, context) => lookUpGuestOrder(context, number, email),
  openOrderIncidents(_parent, { first }, { caller, db }) {
    requirePermission(caller, "ORDERS");
    return listOpenIncidents(db, pageSize(first));
  },
  carriers: (_parent, _args, { caller, db }) => (requirePermission(caller, "ORDERS"), listCarriers(db)),
  async returnsToReview(_parent, args, { caller, db }) {
    requirePermission(caller, "ORDERS");
    const size = pageSize(args.first);
    const rows = await listReturns(db, args.status ?? "REQUESTED", size);
    const currencies = new Map(
      (await findOrdersByIds(db, [...new Set(rows.map((row) => row.orderId))])).map((order) => [
        order.id,
        order.currency,
      ]),
    );
    return rows.map((row) => ({ ...row, currency: currencies.get(row.orderId) ?? "USD" }));
  },
  ...settingsQueries,
};
