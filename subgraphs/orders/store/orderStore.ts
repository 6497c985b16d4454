import type { SqlExecutor } from "../../common/database/prismaOptions";
import { lockRow } from "../../common/database/lockRow";
import { sql, statement } from "../../common/database/sqlPool";
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

/** The columns of `orders` (as `table`) under the names of `OrderRecord`, for statements Prisma's API cannot express. */
export const orderColumnsOf = (table: string) => `${table}.id::text AS id, ${table}.number,
  ${table}.customer_id::text AS "customerId", ${table}.guest_email AS "guestEmail", ${table}.attached_at AS "attachedAt",
  ${table}.client_key AS "clientKey", ${table}.billing_address AS "billingAddress", ${table}.status::text AS status,
  ${table}.cancellation_reason::text AS "cancellationReason", ${table}.currency, ${table}.subtotal_minor AS "subtotalMinor",
  ${table}.total_minor AS "totalMinor", ${table}.shipping_address AS "shippingAddress",
  ${table}.payment_token AS "paymentToken", ${table}.payment_method_id::text AS "paymentMethodId",
  ${table}.payment_deadline AS "paymentDeadline", ${table}.shipping_minor AS "shippingMinor",
  ${table}.discount_minor AS "discountMinor", ${table}.tax_minor AS "taxMinor",
  ${table}.prices_include_tax AS "pricesIncludeTax", ${table}.shipping_method_id::text AS "shippingMethodId",
  ${table}.shipping_method_name AS "shippingMethodName", ${table}.carrier, ${table}.tracking_number AS "trackingNumber",
  ${table}.shipped_at AS "shippedAt", ${table}.delivered_at AS "deliveredAt", ${table}.created_at AS "createdAt",
  ${table}.updated_at AS "updatedAt", ${table}.exchange_for_return_id::text AS "exchangeForReturnId",
  ${table}.original_order_id::text AS "originalOrderId"`;

/** The columns of `orders` under the names of `OrderRecord`. */
export const orderColumns = orderColumnsOf("orders");

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
  /** For a guest's order: its (lower-cased) email and the hash of the client's address. */
  guestEmail?: string | null;
  clientKey?: string | null;
  billingAddress?: ShippingAddressSnapshot | null;
  /** For an exchange order: the return whose credit pays for it, and the order it came from. */
  exchangeForReturnId?: string | null;
  originalOrderId?: string | null;
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
  const { lines, shippingAddress, billingAddress, discounts, taxLines, ...fields } = order;
  return tx.order.create({
    data: {
      ...fields,
      shippingAddress: { ...shippingAddress },
      ...(billingAddress ? { billingAddress: { ...billingAddress } } : {}),
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

/** A status change with its line of history, in one statement (see `recordTransition`). */
const transition = statement(
  "orders.order.transition",
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
);

/**
 * Moves a (locked) order to a new status and writes the line of its status history, in one
 * statement; returns the order as it is now.
 */
export async function recordTransition(
  tx: SqlExecutor,
  id: string,
  change: {
    status: OrderStatus;
    cancellationReason?: OrderRecord["cancellationReason"];
    reason: string;
    fields?: Partial<Pick<OrderRecord, "carrier" | "trackingNumber" | "shippedAt" | "deliveredAt">>;
  },
): Promise<OrderRecord> {
  const fields = change.fields ?? {};
  const [row] = await sql<OrderRecord>(tx, transition, [
    id,
    change.status,
    change.cancellationReason ?? null,
    fields.carrier ?? null,
    fields.trackingNumber ?? null,
    fields.shippedAt ?? null,
    fields.deliveredAt ?? null,
    change.reason,
  ]);
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

/** Whose unpaid orders to count: a customer's, a guest email's, or a client's guest orders. */
export type UnpaidScope = { customerId: string } | { guestEmail: string } | { clientKey: string };

/**
 * How many orders of the scope wait for payment (PENDING, AWAITING_PAYMENT), and the units they
 * hold or are reserving. Exchange orders waiting for their return's parcel are left out: the back
 * office approved them, and their units are bounded by what was returned.
 */
export async function unpaidTotals(tx: OrdersTx, scope: UnpaidScope): Promise<{ orders: number; units: number }> {
  // The customer's id compared as a uuid, not its column cast to text: the cast hid it from every index.
  const [condition, value] =
    "customerId" in scope
      ? ["customer_id = $1::uuid", scope.customerId]
      : "guestEmail" in scope
        ? ["guest_email = $1", scope.guestEmail]
        : ["client_key = $1", scope.clientKey];
  const [row] = await tx.$queryRawUnsafe<Array<{ orders: number; units: number }>>(
    `SELECT count(DISTINCT o.id)::int AS orders, coalesce(sum(i.quantity), 0)::int AS units
       FROM orders o JOIN order_items i ON i.order_id = o.id
      WHERE ${condition} AND o.status IN ('PENDING', 'AWAITING_PAYMENT') AND o.exchange_for_return_id IS NULL`,
    value,
  );
  return row ?? { orders: 0, units: 0 };
}

/** A guest's order by its number and email; null when either does not match. */
export function findGuestOrder(db: OrdersReader, number: string, guestEmail: string): Promise<OrderRecord | null> {
  return db.order.findFirst({ where: { number, guestEmail } });
}

/**
 * Attaches the guest orders placed with `email` to the account that verified it; answers the
 * orders attached (each with the guest principal it had). Orders already attached are left alone,
 * so a redelivered event attaches nothing twice.
 */
export function attachGuestOrders(
  tx: OrdersTx,
  email: string,
  customerId: string,
): Promise<Array<{ id: string; previousCustomerId: string }>> {
  return tx.$queryRawUnsafe(
    `UPDATE orders o SET customer_id = $2::uuid, attached_at = now(), updated_at = now()
       FROM orders before
      WHERE o.id = before.id AND o.guest_email = $1 AND o.attached_at IS NULL
      RETURNING o.id::text AS id, before.customer_id::text AS "previousCustomerId"`,
    email,
    customerId,
  );
}
