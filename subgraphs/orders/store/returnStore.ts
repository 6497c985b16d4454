import type { ReturnStatus } from "../generated/prisma/client";
import type { OrdersReader, OrdersTx } from "./database";
import type { OrderReturnRecord, ReturnExchangeLineRecord, ReturnLineRecord } from "./records";

export type ReturnWithLines = OrderReturnRecord & {
  lines: ReturnLineRecord[];
  exchangeLines: ReturnExchangeLineRecord[];
};

/** A return's lines and its replacements (in their order), read with it. */
const withLines = { lines: true, exchangeLines: { orderBy: { position: "asc" } } } as const;

export function findReturnsOfOrders(db: OrdersReader, orderIds: readonly string[]): Promise<ReturnWithLines[]> {
  return db.orderReturn.findMany({
    where: { orderId: { in: [...orderIds] } },
    include: withLines,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: 50 * orderIds.length,
  });
}

export function findReturn(db: OrdersReader, id: string): Promise<ReturnWithLines | null> {
  return db.orderReturn.findUnique({ where: { id }, include: withLines });
}

export function listReturns(db: OrdersReader, status: ReturnStatus, size: number): Promise<ReturnWithLines[]> {
  return db.orderReturn.findMany({
    where: { status },
    include: withLines,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: size,
  });
}

/** Units of each line of an order in returns of the given statuses (all but refused ones, say). */
export async function returnedUnits(
  db: OrdersReader,
  orderId: string,
  statuses: readonly ReturnStatus[],
  except?: string,
): Promise<Map<string, number>> {
  const rows = await db.returnLine.groupBy({
    by: ["orderItemId"],
    where: {
      orderReturn: { orderId, status: { in: [...statuses] }, ...(except ? { id: { not: except } } : {}) },
    },
    _sum: { quantity: true },
  });
  return new Map(rows.map((row) => [row.orderItemId, row._sum.quantity ?? 0]));
}

/** Units of each line of an order in delivered parcels, and when the last of them was delivered. */
export async function deliveredUnits(
  db: OrdersReader,
  orderId: string,
): Promise<{ units: Map<string, number>; lastDeliveredAt: Date | null }> {
  const parcels = await db.fulfillment.findMany({
    where: { orderId, status: "DELIVERED" },
    include: { lines: true },
  });
  const units = new Map<string, number>();
  let lastDeliveredAt: Date | null = null;
  for (const parcel of parcels) {
    for (const line of parcel.lines) units.set(line.orderItemId, (units.get(line.orderItemId) ?? 0) + line.quantity);
    const at = parcel.deliveredAt ?? parcel.statusAt;
    if (!lastDeliveredAt || at > lastDeliveredAt) lastDeliveredAt = at;
  }
  return { units, lastDeliveredAt };
}

export function insertReturn(
  tx: OrdersTx,
  fields: {
    orderId: string;
    customerId: string;
    reason: string;
    lines: ReadonlyArray<{ orderItemId: string; quantity: number }>;
    /** For an exchange: the replacements, and what they cost together. */
    exchange?: {
      totalMinor: bigint;
      lines: ReadonlyArray<{
        orderItemId: string;
        productId: string;
        variantId: string;
        quantity: number;
        unitPriceMinor: bigint;
      }>;
    } | null;
  },
): Promise<ReturnWithLines> {
  const { lines, exchange, ...rest } = fields;
  return tx.orderReturn.create({
    data: {
      ...rest,
      lines: { create: lines.map((line) => ({ ...line })) },
      ...(exchange
        ? {
            exchangeTotalMinor: exchange.totalMinor,
            exchangeLines: { create: exchange.lines.map((line, position) => ({ position, ...line })) },
          }
        : {}),
    },
    include: withLines,
  });
}

/** Moves a return from `from` to a new status with its fields; null when it was not in `from` (another request moved it). */
export async function moveReturn(
  tx: OrdersTx,
  id: string,
  from: ReturnStatus,
  change: Partial<
    Pick<
      OrderReturnRecord,
      | "status"
      | "labelReference"
      | "rejectionReason"
      | "restocked"
      | "restockLocationId"
      | "refundShipping"
      | "refundMinor"
      | "exchangeOrderId"
    >
  >,
): Promise<ReturnWithLines | null> {
  const { count } = await tx.orderReturn.updateMany({ where: { id, status: from }, data: change });
  return count === 1 ? findReturn(tx, id) : null;
}

/** Records what payments refunded for a return (once per refund event: the consumer applies each once). */
export async function recordReturnRefund(tx: OrdersTx, id: string, amountMinor: bigint): Promise<void> {
  await tx.orderReturn.updateMany({
    where: { id },
    data: { status: "REFUNDED", refundedMinor: { increment: amountMinor } },
  });
}

/**
 * Records that payments paid a return's exchange order from its refund (once per event: the
 * consumer applies each once). The return is settled when nothing more is to come back to the card.
 */
export async function recordExchangeCredit(tx: OrdersTx, id: string, amountMinor: bigint): Promise<void> {
  const updated = await tx.orderReturn.updateMany({
    where: { id },
    data: { exchangeCreditMinor: { increment: amountMinor } },
  });
  if (updated.count === 0) return;
  const now = (await tx.orderReturn.findUnique({ where: { id } }))!;
  if (now.status === "RECEIVED" && now.exchangeCreditMinor + now.refundedMinor >= (now.refundMinor ?? 0n))
    await tx.orderReturn.update({ where: { id }, data: { status: "REFUNDED" } });
}
