import { requireAdmin, requireCaller } from "../../common/auth/guards";
import { addToCart, clearCart, updateCartItem } from "../domain/cart";
import { cancelOrder, markOrderDelivered, shipOrder } from "../domain/orderCommands";
import { placeOrder } from "../domain/placeOrder";
import type { MutationResolvers } from "../generated/graphql";
import { settingsMutations } from "./settings";

export const Mutation: MutationResolvers = {
  addToCart: (_parent, { productId, variantId, quantity }, context) =>
    addToCart(context, requireCaller(context.caller).userId, { productId, variantId }, quantity),
  updateCartItem: (_parent, { productId, variantId, quantity }, context) =>
    updateCartItem(context, requireCaller(context.caller).userId, { productId, variantId }, quantity),
  clearCart: (_parent, _args, context) => clearCart(context, requireCaller(context.caller).userId),
  placeOrder: (_parent, { input }, context) => placeOrder(context, requireCaller(context.caller).userId, input),
  cancelOrder: (_parent, { id, reason }, context) => cancelOrder(context, requireCaller(context.caller), id, reason),
  shipOrder: (_parent, { input }, context) => (requireAdmin(context.caller), shipOrder(context, input)),
  markOrderDelivered: (_parent, { id }, context) => (requireAdmin(context.caller), markOrderDelivered(context, id)),
  ...settingsMutations,
};
