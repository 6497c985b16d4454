import { requireCaller, requirePermission } from "../../common/auth/guards";
import { resolveOrderIncident } from "../domain/incidents";
import { updateCartBuyerIdentity } from "../domain/buyerIdentity";
import { cartOwnerOf } from "../domain/cartAccess";
import { addCartLines, addToCart, clearCart, removeCartLines, updateCartItem, updateCartLines } from "../domain/cart";
import { mergeGuestCart } from "../domain/cartMerge";
import { createGuestCart } from "../domain/guestCart";
import { withGuestAccess } from "../domain/guestOrders";
import { cancelOrder, markOrderDelivered, shipOrder } from "../domain/orderCommands";
import { placeGuestOrder, placeOrder } from "../domain/placeOrder";
import { createCarrier, updateCarrier } from "../domain/fulfillment/carriers";
import { createFulfillment } from "../domain/fulfillment/createFulfillment";
import { editOrder } from "../domain/edits/editOrder";
import { approveReturn, receiveReturn, rejectReturn, requestReturn } from "../domain/returns/returnCommands";
import type { MutationResolvers } from "../generated/graphql";
import { settingsMutations } from "./settings";

export const Mutation: MutationResolvers = {
  addToCart: (_parent, { productId, variantId, quantity }, context) =>
    addToCart(context, requireCaller(context.caller).userId, { productId, variantId }, quantity),
  updateCartItem: (_parent, { productId, variantId, quantity }, context) =>
    updateCartItem(context, requireCaller(context.caller).userId, { productId, variantId }, quantity),
  clearCart: (_parent, _args, context) => clearCart(context, requireCaller(context.caller).userId),
  cartCreate: (_parent, _args, context) => createGuestCart(context),
  cartLinesAdd: async (_parent, { cartToken, lines }, context) =>
    addCartLines(context, await cartOwnerOf(context.db, context.caller, cartToken), lines),
  cartLinesUpdate: async (_parent, { cartToken, lines }, context) =>
    updateCartLines(context, await cartOwnerOf(context.db, context.caller, cartToken), lines),
  cartLinesRemove: async (_parent, { cartToken, lineIds }, context) =>
    removeCartLines(context, await cartOwnerOf(context.db, context.caller, cartToken), lineIds),
  cartBuyerIdentityUpdate: async (_parent, { cartToken, buyerIdentity }, context) =>
    updateCartBuyerIdentity(context, await cartOwnerOf(context.db, context.caller, cartToken), buyerIdentity),
  cartMerge: (_parent, { cartToken }, context) =>
    mergeGuestCart(context, requireCaller(context.caller).userId, cartToken),
  placeOrder: (_parent, { input }, context) => placeOrder(context, requireCaller(context.caller).userId, input),
  placeGuestOrder: async (_parent, { input }, context) =>
    withGuestAccess(context, await placeGuestOrder(context, input)),
  cancelOrder: (_parent, { id, reason }, context) => cancelOrder(context, requireCaller(context.caller), id, reason),
  resolveOrderIncident: (_parent, { id, note }, { caller, unitOfWork }) =>
    resolveOrderIncident({ unitOfWork, caller: requirePermission(caller, "ORDERS") }, id, note),
  shipOrder: (_parent, { input }, context) => (requirePermission(context.caller, "ORDERS"), shipOrder(context, input)),
  markOrderDelivered: (_parent, { id }, context) => (
    requirePermission(context.caller, "ORDERS"),
    markOrderDelivered(context, id)
  ),
  carrierCreate: (_parent, { input }, context) =>
    createCarrier({ unitOfWork: context.unitOfWork, caller: requirePermission(context.caller, "ORDERS") }, input),
  carrierUpdate: (_parent, { input }, context) =>
    updateCarrier({ unitOfWork: context.unitOfWork, caller: requirePermission(context.caller, "ORDERS") }, input),
  fulfillmentCreate: (_parent, { input }, context) => (
    requirePermission(context.caller, "ORDERS"),
    createFulfillment(context, input)
  ),
  orderEdit: (_parent, { input }, context) => editOrder(context, requireCaller(context.caller), input),
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
  ...settingsMutations,
};
