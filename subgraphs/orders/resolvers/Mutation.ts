import { requireAdmin, requireCaller, requirePermission } from "../../common/auth/guards";
import { addToCart, clearCart, updateCartItem } from "../domain/cart";
import { createCarrier, updateCarrier } from "../domain/fulfillment/carriers";
import { createFulfillment } from "../domain/fulfillment/createFulfillment";
import { cancelOrder, markOrderDelivered, shipOrder } from "../domain/orderCommands";
import { placeOrder } from "../domain/placeOrder";
import { approveReturn, receiveReturn, rejectReturn, requestReturn } from "../domain/returns/returnCommands";
import type { MutationResolvers } from "../generated/graphql";

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
  carrierCreate: (_parent, { input }, context) => (
    requirePermission(context.caller, "ORDERS"),
    createCarrier(context.db, input)
  ),
  carrierUpdate: (_parent, { input }, context) => (
    requirePermission(context.caller, "ORDERS"),
    updateCarrier(context.db, input)
  ),
  fulfillmentCreate: (_parent, { input }, context) => (
    requirePermission(context.caller, "ORDERS"),
    createFulfillment(context, input)
  ),
  returnRequest: (_parent, { input }, context) => requestReturn(context, requireCaller(context.caller), input),
  returnApprove: (_parent, { id, labelReference }, context) => (
    requirePermission(context.caller, "ORDERS"),
    approveReturn(context, id, labelReference)
  ),
  returnReject: (_parent, { id, reason }, context) => (
    requirePermission(context.caller, "ORDERS"),
    rejectReturn(context, id, reason)
  ),
  returnReceive: (_parent, { input }, context) => (
    requirePermission(context.caller, "ORDERS"),
    receiveReturn(context, input)
  ),
};
