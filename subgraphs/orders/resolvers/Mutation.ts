import { requireCaller, requirePermission } from "../../common/auth/guards";
import { resolveOrderIncident } from "../domain/incidents";
import { addToCart, clearCart, updateCartItem } from "../domain/cart";
import { cancelOrder, markOrderDelivered, shipOrder } from "../domain/orderCommands";
import { placeOrder } from "../domain/placeOrder";
import type { MutationResolvers } from "../generated/graphql";

export const Mutation: MutationResolvers = {
  addToCart: (_parent, { productId, variantId, quantity }, context) =>
    addToCart(context, requireCaller(context.caller).userId, { productId, variantId }, quantity),
  updateCartItem: (_parent, { productId, variantId, quantity }, context) =>
    updateCartItem(context, requireCaller(context.caller).userId, { productId, variantId }, quantity),
  clearCart: (_parent, _args, context) => clearCart(context, requireCaller(context.caller).userId),
  placeOrder: (_parent, { input }, context) => placeOrder(context, requireCaller(context.caller).userId, input),
  cancelOrder: (_parent, { id, reason }, context) => cancelOrder(context, requireCaller(context.caller), id, reason),
  resolveOrderIncident: (_parent, { id, note }, { caller, db }) =>
    resolveOrderIncident(db, requirePermission(caller, "ORDERS").userId, id, note),
  shipOrder: (_parent, { input }, context) => (requirePermission(context.caller, "ORDERS"), shipOrder(context, input)),
  markOrderDelivered: (_parent, { id }, context) => (
    requirePermission(context.caller, "ORDERS"),
    markOrderDelivered(context, id)
  ),
};
