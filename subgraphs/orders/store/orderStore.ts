import { afterNewestFirst } from "../../common/pagination";
import type { OrderStatus } from "../generated/prisma/client";
import type { OrdersReader, OrdersTx } from "./database";
import type { OrderItem } from "../generated/prisma/client";
import type { OrderRecord, OrderStatusChangeRecord, ShippingAddressSnapshot } from "./records";

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
  status?: OrderStatus | null;
  size: number;
  after?: string | null;
}

function listFilter(query: Pick<OrderListQuery, "customerId" | "status">) {
  return { ...(query.customerId ? { customerId: query.customerId } : {}), ...(query.status ? { status: query.status } : {}) };
}

/** A page (plus one row) of orders, newest first. */
export function listOrders(db: OrdersReader, query: OrderListQuery): Promise<OrderRecord[]> {
  return db.order.findMany({
    where: { ...listFilter(query), ...afterNewestFirst(query.after) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.size + 1,
  });
}

export function countOrders(db: OrdersReader, query: Pick<OrderListQuery, "customerId" | "status">): Promise<number> {
  return db.order.count({ where: listFilter(query) });
}

/** The order, locked until the transaction ends: transitions of one order happen one at a time. */
export async function lockOrder(tx: OrdersTx, id: string): Promise<OrderRecord | null> {
  const [row] = await tx.$queryRaw<Array<{ id: string }>>`SELECT id::text FROM orders WHERE id = ${id}::uuid FOR UPDATE`;
  return row ? tx.order.findUnique({ where: { id } }) : null;
}

export interface NewOrder {
  id: string;
  number: string;
  customerId: string;
  currency: string;
  subtotalMinor: bigint;
  totalMinor: bigint;
  shippingAddress: ShippingAddressSnapshot;
  paymentToken: string;
  paymentDeadline: Date;
  lines: Array<{ productId: string; productName: string; quantity: number; unitPriceMinor: bigint }>;
}

export function insertOrder(tx: OrdersTx, order: NewOrder): Promise<OrderRecord> {
  const { lines, shippingAddress, ...fields } = order;
  return tx.order.create({
    data: {
      ...fields,
      shippingAddress: { ...shippingAddress },
      items: { create: lines.map((line, position) => ({ position, ...line })) },
      statusHistory: { create: [{ status: "PENDING", reason: "order placed" }] },
    },
  });
}

export function recordTransition(
  tx: OrdersTx,
  id: string,
  change: { status: OrderStatus; cancellationReason?: OrderRecord["cancellationReason"]; reason: string; fields?: Partial<Pick<OrderRecord, "carrier" | "trackingNumber" | "shippedAt" | "deliveredAt">> },
): Promise<OrderRecord> {
  return tx.order.update({
    where: { id },
    data: {
      status: change.status,
      ...(change.cancellationReason ? { cancellationReason: change.cancellationReason } : {}),
      ...change.fields,
      statusHistory: { create: [{ status: change.status, reason: change.reason }] },
    },
  });
}

/** Orders whose payment window has closed while they still wait; locked, skipping those another replica holds. */
export function lockOverdueOrders(tx: OrdersTx, limit: number): Promise<Array<{ id: string; status: OrderStatus }>> {
  return tx.$queryRaw<Array<{ id: string; status: OrderStatus }>>`
    SELECT id::text, status::text AS status FROM orders
     WHERE status IN ('PENDING', 'AWAITING_PAYMENT') AND payment_deadline < now()
     ORDER BY payment_deadline
     LIMIT ${limit}
       FOR UPDATE SKIP LOCKED`;
}

export function findOrderRequest(db: OrdersReader, customerId: string, idempotencyKey: string) {
  return db.orderRequest.findUnique({ where: { customerId_idempotencyKey: { customerId, idempotencyKey } } });
}

/** Claims an idempotency key for a new order; false when the key was already claimed (the insert waits for a concurrent claim to commit). */
export async function claimOrderRequest(tx: OrdersTx, request: { customerId: string; idempotencyKey: string; requestHash: string; orderId: string }): Promise<boolean> {
  const { count } = await tx.orderRequest.createMany({ data: [request], skipDuplicates: true });
  return count === 1;
}
