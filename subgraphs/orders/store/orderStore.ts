import { lockRow } from "../../common/database/lockRow";
import { afterNewestFirst } from "../../common/pagination";
import type { OrderStatus } from "../generated/prisma/client";
import type { OrdersReader, OrdersTx } from "./database";
import type { OrderItem } from "../generated/prisma/client";
import type { OrderRecord, OrderStatusChangeRecord, ShippingAddressSnapshot } from "./records";

export function findOrdersByIds(db: OrdersReader, ids: readonly string[]): Promise<OrderRecord[]> {
  return db.order.findMany({ where: { id: { in: [...ids] } } });
}

export function findItemsOfOrders(db: OrdersReader, orderIds: readonly string[]): Promise<OrderItem[]> {
  return db.orderItem.findMany({
    where: { orderId: { in: [...orderIds] } },
    orderBy: [{ orderId: "asc" }, { position: "asc" }],
  });
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
  return {
    ...(query.customerId ? { customerId: query.customerId } : {}),
    ...(query.status ? { status: query.status } : {}),
  };
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

/** The columns of `orders` under the names of `OrderRecord`, for statements Prisma's API cannot express. */
const orderColumns = `id::text AS id, number, customer_id::text AS "customerId", status::text AS status,
  cancellation_reason::text AS "cancellationReason", currency, subtotal_minor AS "subtotalMinor", total_minor AS "totalMinor",
  shipping_address AS "shippingAddress", payment_token AS "paymentToken", payment_method_id::text AS "paymentMethodId",
  payment_deadline AS "paymentDeadline", shipping_minor AS "shippingMinor", discount_minor AS "discountMinor",
  tax_minor AS "taxMinor", prices_include_tax AS "pricesIncludeTax", shipping_method_id::text AS "shippingMethodId",
  shipping_method_name AS "shippingMethodName", carrier,
  tracking_number AS "trackingNumber", shipped_at AS "shippedAt", delivered_at AS "deliveredAt", created_at AS "createdAt",
  updated_at AS "updatedAt"`;

/**
 * The order, locked until the transaction ends: transitions of one order happen one at a time.
 * One statement, as it runs at every step of every checkout.
 */
export function lockOrder(tx: OrdersTx, id: string): Promise<OrderRecord | null> {
  return lockRow<OrderRecord>(tx, { name: "orders", columns: orderColumns }, "id", id);
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
  paymentMethodId: string | null;
  paymentDeadline: Date;
  shippingMinor: bigint;
  discountMinor: bigint;
  taxMinor: bigint;
  pricesIncludeTax: boolean;
  shippingMethodId: string | null;
  shippingMethodName: string | null;
  /** The discounts applied, as priced (lines by position). */
  discounts: ReadonlyArray<{
    discountId: string;
    code: string | null;
    title: string;
    amountMinor: bigint;
    shippingMinor: bigint;
    lines: Array<{ position: number; amountMinor: string }>;
  }>;
  /** The tax lines (position null: shipping). */
  taxLines: ReadonlyArray<{
    position: number | null;
    taxCategory: "STANDARD" | "REDUCED" | "ZERO";
    ratePpm: number;
    taxableMinor: bigint;
    amountMinor: bigint;
  }>;
  /** Each line with its snapshot (see PricedLine). */
  lines: ReadonlyArray<{
    productId: string;
    variantId: string;
    productName: string;
    variantTitle: string;
    sku: string;
    selectedOptions: Array<{ name: string; value: string }>;
    imageUrl: string | null;
    imageAlt: string;
    quantity: number;
    unitPriceMinor: bigint;
  }>;
}

export function insertOrder(tx: OrdersTx, order: NewOrder): Promise<OrderRecord> {
  const { lines, shippingAddress, discounts, taxLines, ...fields } = order;
  return tx.order.create({
    data: {
      ...fields,
      shippingAddress: { ...shippingAddress },
      items: { create: lines.map((line, position) => ({ position, ...line })) },
      // Left out when empty: every statement counts when a hundred checkouts race.
      ...(discounts.length
        ? { discounts: { create: discounts.map((discount, position) => ({ position, ...discount })) } }
        : {}),
      ...(taxLines.length ? { taxLines: { create: [...taxLines] } } : {}),
      statusHistory: { create: [{ status: "PENDING", reason: "order placed" }] },
    },
  });
}

/**
 * Moves a (locked) order to a new status and writes the line of its status history, in one
 * statement; returns the order as it is now.
 */
export async function recordTransition(
  tx: OrdersTx,
  id: string,
  change: {
    status: OrderStatus;
    cancellationReason?: OrderRecord["cancellationReason"];
    reason: string;
    fields?: Partial<Pick<OrderRecord, "carrier" | "trackingNumber" | "shippedAt" | "deliveredAt">>;
  },
): Promise<OrderRecord> {
  const fields = change.fields ?? {};
  const [row] = await tx.$queryRawUnsafe<OrderRecord[]>(
    `WITH moved AS (
       UPDATE orders SET status = $2::text::"OrderStatus",
              cancellation_reason = coalesce($3::text::"CancellationReason", cancellation_reason),
              carrier = coalesce($4, carrier), tracking_number = coalesce($5, tracking_number),
              shipped_at = coalesce($6::timestamptz, shipped_at), delivered_at = coalesce($7::timestamptz, delivered_at),
              updated_at = clock_timestamp()
        WHERE id = $1::uuid
        RETURNING ${orderColumns}
     ), history AS (
       INSERT INTO order_status_changes (order_id, status, reason, at)
       SELECT id::uuid, status::"OrderStatus", $8, "updatedAt" FROM moved
     )
     SELECT * FROM moved`,
    id,
    change.status,
    change.cancellationReason ?? null,
    fields.carrier ?? null,
    fields.trackingNumber ?? null,
    fields.shippedAt ?? null,
    fields.deliveredAt ?? null,
    change.reason,
  );
  if (!row) throw new Error(`order ${id} vanished while locked`);
  return row;
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
export async function claimOrderRequest(
  tx: OrdersTx,
  request: { customerId: string; idempotencyKey: string; requestHash: string; orderId: string },
): Promise<boolean> {
  const { count } = await tx.orderRequest.createMany({ data: [request], skipDuplicates: true });
  return count === 1;
}
