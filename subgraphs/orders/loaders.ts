import { loaderByKey, loaderOfMany } from "../common/loaders";
import type { OrdersDb } from "./store/database";
import { findHistoryOfOrders, findItemsOfOrders, findOrdersByIds } from "./store/orderStore";

export function createOrdersLoaders(db: OrdersDb) {
  return {
    orderById: loaderByKey(
      (ids) => findOrdersByIds(db, ids),
      (order) => order.id,
    ),
    itemsOfOrder: loaderOfMany(
      (ids) => findItemsOfOrders(db, ids),
      (item) => item.orderId,
    ),
    discountsOfOrder: loaderOfMany(
      (ids) =>
        db.orderDiscount.findMany({
          where: { orderId: { in: [...ids] } },
          orderBy: [{ orderId: "asc" }, { position: "asc" }],
        }),
      (discount) => discount.orderId,
    ),
    taxLinesOfOrder: loaderOfMany(
      (ids) => db.orderTaxLine.findMany({ where: { orderId: { in: [...ids] } }, orderBy: [{ id: "asc" }] }),
      (line) => line.orderId,
    ),
    historyOfOrder: loaderOfMany(
      (ids) => findHistoryOfOrders(db, ids),
      (change) => change.orderId,
    ),
  };
}

export type OrdersLoaders = ReturnType<typeof createOrdersLoaders>;
