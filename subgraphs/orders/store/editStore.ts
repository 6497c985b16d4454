import type { orderPricing } from "../domain/pricing/orderPricing";
import type { OrdersReader, OrdersTx } from "./database";
import type { OrderEdit } from "../generated/prisma/client";
import { releaseDiscountUses } from "./discountUseStore";

/** What an order keeps of its pricing (see `orderPricing`). */
type OrderPricingRows = ReturnType<typeof orderPricing>;

export type OrderEditRecord = OrderEdit;
/** An edit with its order's currency, as the API shows it. */
export type OrderEditView = OrderEdit & { currency: string };

export function findEditByKey(db: OrdersReader, orderId: string, idempotencyKey: string) {
  return db.orderEdit.findUnique({ where: { orderId_idempotencyKey: { orderId, idempotencyKey } } });
}

export function countEdits(db: OrdersReader, orderId: string): Promise<number> {
  return db.orderEdit.count({ where: { orderId } });
}

/** The edits of some orders, oldest first (at most `maxEditsPerOrder` an order exist). */
export function findEditsOfOrders(db: OrdersReader, orderIds: readonly string[]): Promise<OrderEditRecord[]> {
  return db.orderEdit.findMany({
    where: { orderId: { in: [...orderIds] } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

export function insertEdit(
  tx: OrdersTx,
  edit: Omit<OrderEditRecord, "createdAt" | "lines"> & { lines: unknown[] },
): Promise<OrderEditRecord> {
  return tx.orderEdit.create({ data: { ...edit, lines: edit.lines as object[] } });
}

/**
 * Writes an (locked) order as an edit left it: the lines' new quantities (lines at 0 removed),
 * the totals, the discounts as allocated again (the kept ones keep their use; the rest are
 * deleted, their uses given back by the caller first) and the tax lines, all in the edit's
 * transaction.
 */
export async function saveEditedOrder(
  tx: OrdersTx,
  orderId: string,
  edit: {
    quantities: ReadonlyArray<{ orderItemId: string; quantity: number }>;
    subtotalMinor: bigint;
    pricing: OrderPricingRows;
  },
): Promise<void> {
  for (const line of edit.quantities) {
    if (line.quantity === 0) await tx.orderItem.delete({ where: { id: line.orderItemId } });
    else await tx.orderItem.update({ where: { id: line.orderItemId }, data: { quantity: line.quantity } });
  }
  const { pricing } = edit;
  await tx.order.update({
    where: { id: orderId },
    data: {
      subtotalMinor: edit.subtotalMinor,
      totalMinor: pricing.totalMinor,
      shippingMinor: pricing.shippingMinor,
      discountMinor: pricing.discountMinor,
      taxMinor: pricing.taxMinor,
    },
  });
  const kept = new Set(pricing.discounts.map((discount) => discount.discountId));
  await tx.orderDiscount.deleteMany({ where: { orderId, discountId: { notIn: [...kept] } } });
  for (const discount of pricing.discounts) {
    await tx.orderDiscount.updateMany({
      where: { orderId, discountId: discount.discountId },
      data: { amountMinor: discount.amountMinor, shippingMinor: discount.shippingMinor, lines: discount.lines },
    });
  }
  await tx.orderTaxLine.deleteMany({ where: { orderId } });
  if (pricing.taxLines.length > 0)
    await tx.orderTaxLine.createMany({ data: pricing.taxLines.map((line) => ({ orderId, ...line })) });
}

/**
 * Gives back the uses an order held of discounts an edit dropped (counted, as the order is
 * confirmed, or still held), to the discount and to the buyer. Before their rows are deleted.
 */
export async function releaseDroppedDiscountUses(
  tx: OrdersTx,
  orderId: string,
  droppedDiscountIds: readonly string[],
  buyerKey: string,
): Promise<void> {
  if (droppedDiscountIds.length === 0) return;
  await releaseDiscountUses(tx, orderId, buyerKey, droppedDiscountIds);
}
