import { loaderByKey, loaderOfMany } from "../common/loaders";
import type { OrdersDb } from "./store/database";
import { findIncidentsOfOrders } from "./store/incidentStore";
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
    historyOfOrder: loaderOfMany(
      (ids) => findHistoryOfOrders(db, ids),
      (change) => change.orderId,
    ),
    incidentsOfOrder: loaderOfMany(
      (ids) => findIncidentsOfOrders(db, ids),
      (incident) => incident.orderId,
    ),
  };
}

export type OrdersLoaders = ReturnType<typeof createOrdersLoaders>;
