import { requireAdmin, requireCaller, requireOwnerOrAdmin } from "../../common/auth/guards";
import { NotFoundError } from "../../common/errors";
import { newestFirstCursor, pageSize, toConnection } from "../../common/pagination";
import { isUuid } from "../../common/validation";
import { showCart } from "../domain/cart";
import type { QueryResolvers } from "../generated/graphql";
import { countOrders, listOrders } from "../store/orderStore";
import { settingsQueries } from "./settings";

export const Query: QueryResolvers = {
  async order(_parent, { id }, { caller, loaders }) {
    requireCaller(caller);
    const order = isUuid(id) ? await loaders.orderById.load(id) : null;
    if (!order) throw new NotFoundError("No order has this id.");
    requireOwnerOrAdmin(caller, order.customerId, "this order");
    return order;
  },
  async orders(_parent, args, { caller, db }) {
    requireAdmin(caller);
    const size = pageSize(args.first);
    const query = { status: args.status ?? null, size, after: args.after };
    return toConnection(await listOrders(db, query), size, newestFirstCursor, () => countOrders(db, query));
  },
  cart: (_parent, _args, context) => showCart(context, requireCaller(context.caller).userId),
  ...settingsQueries,
};
