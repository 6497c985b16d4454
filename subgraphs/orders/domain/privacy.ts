import { formatAmount } from "../../common/money";
import type { PrivacyParticipant } from "../../common/privacy/privacyHandlers";
import { maxExportRecords } from "../../common/privacy/privacyParts";
import type { OrdersTx } from "../store/database";
import {
  deleteCartOfCustomer,
  erasePersonalFieldsOfOrders,
  findCartOfCustomer,
  findOrdersOfCustomer,
} from "../store/privacyStore";

/** What an erased order's shipping address reads: empty lines, the country kept for the books. */
export function erasedShippingAddress(country: string) {
  return { name: null, line1: "", line2: null, city: "", region: null, postalCode: "", country };
}

/** The orders service's answer to privacy requests: the customer's orders and cart. */
export const ordersPrivacy: PrivacyParticipant<OrdersTx> = {
  async exportData(tx, userId) {
    const [orders, cart] = await Promise.all([
      findOrdersOfCustomer(tx, userId, maxExportRecords),
      findCartOfCustomer(tx, userId),
    ]);
    return {
      orders: orders.map((order) => ({
        id: order.id,
        number: order.number,
        status: order.status,
        cancellationReason: order.cancellationReason,
        currency: order.currency,
        subtotal: formatAmount(order.subtotalMinor),
        total: formatAmount(order.totalMinor),
        shippingAddress: order.shippingAddress,
        shipment: order.carrier ? { carrier: order.carrier, trackingNumber: order.trackingNumber } : null,
        lines: order.items.map((item) => ({
          productId: item.productId,
          variantId: item.variantId,
          productName: item.productName,
          variantTitle: item.variantTitle,
          sku: item.sku,
          quantity: item.quantity,
          unitPrice: formatAmount(item.unitPriceMinor),
        })),
        statusHistory: order.statusHistory.map((change) => ({
          status: change.status,
          reason: change.reason,
          at: change.at,
        })),
        createdAt: order.createdAt,
      })),
      cart: cart
        ? cart.items.map((item) => ({ productId: item.productId, variantId: item.variantId, quantity: item.quantity }))
        : [],
    };
  },
  async erase(tx, userId) {
    return {
      ordersAnonymised: await erasePersonalFieldsOfOrders(tx, userId, erasedShippingAddress),
      cartsDeleted: await deleteCartOfCustomer(tx, userId),
    };
  },
};
