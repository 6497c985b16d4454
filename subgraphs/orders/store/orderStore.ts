import { afterNewestFirst } from "../../common/pagination";
import type { OrdersReader } from "./database";
import type { OrderItem } from "../generated/prisma/client";
import type { OrderRecord, OrderStatusChangeRecord } from "./records";

export function findOrdersByIds(db: OrdersReader, ids: readonly string[]): Promise<OrderRecord[]> {
  return db.order.findMany({ where: { id: { in: [...ids] } } });
}

export function findItemsOfOrders(db: OrdersReader, orderIds: readonly string[]): Promise<OrderItem[]> {
  return db.orderItem.findMany({ where: { orderId: { in: [...orderIds] } }, orderBy: [{ orderId: "asc" }, { position: "asc" }] });
}

export function findHistoryOfOrders(db: OrdersReader, orderIds: readonly string[]): Promise<OrderStatusChangeRecord[]> {
  return db.orderStatusChange.findMany({ where: { orderId: { in: [...orderIds] } }, orderBy: [{ id: "asc" }] });
}

export interface OrderListQuery {
  customerId?: string;
  size: number;
  after?: string | null;
}

/** A page (plus one row) of orders, newest first. */
export function listOrders(db: OrdersReader, query: OrderListQuery): Promise<OrderRecord[]> {
  return db.order.findMany({
    where: { ...(query.customerId ? { customerId: query.customerId } : {}), ...afterNewestFirst(query.after) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.size + 1,
  });
}

export function countOrders(db: OrdersReader, query: Pick<OrderListQuery, "customerId">): Promise<number> {
  return db.order.count({ where: query.customerId ? { customerId: query.customerId } : {} });
}
