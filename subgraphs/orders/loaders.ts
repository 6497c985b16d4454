import { loaderByKey, loaderOfMany } from "../common/loaders";
import type { OrdersDb } from "./store/database";
import { findIncidentsOfOrders } from "./store/incidentStore";
import { findFulfillmentsOfOrders } from "./store/fulfillmentStore";
import { findReturnsOfOrders } from "./store/returnStore";
import { findEditsOfOrders } from "./store/editStore";
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
    fulfillmentsOfOrder: loaderOfMany(
      (ids) => findFulfillmentsOfOrders(db, ids),
      (fulfillment) => fulfillment.orderId,
    ),
    returnsOfOrder: loaderOfMany(
      (ids) => findReturnsOfOrders(db, ids),
      (orderReturn) => orderReturn.orderId,
    ),
    editsOfOrder: loaderOfMany(
      (ids) => findEditsOfOrders(db, ids),
      (edit) => edit.orderId,
    ),
    carrierById: loaderByKey(
      (ids) => db.carrier.findMany({ where: { id: { in: [...ids] } } }),
      (carrier) => carrier.id,
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
    incidentsOfOrder: loaderOfMany(
      (ids) => findIncidentsOfOrders(db, ids),
      (incident) => incident.orderId,
    ),
  };
}

export type OrdersLoaders = ReturnType<typeof createOrdersLoaders>;
