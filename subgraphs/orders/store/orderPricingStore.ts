import { unpricedAllocations, type PricedAllocations } from "../domain/returns/refundShare";
import type { OrdersReader } from "./database";

/**
 * What an order kept of its pricing that decides what each line paid: its discounts' parts of
 * the lines and its tax lines. An order with neither discount nor tax reads nothing.
 */
export async function findPricedAllocations(
  db: OrdersReader,
  order: { id: string; discountMinor: bigint; taxMinor: bigint; pricesIncludeTax: boolean },
): Promise<PricedAllocations> {
  if (order.discountMinor === 0n && order.taxMinor === 0n) return unpricedAllocations;
  // One after the other: inside a transaction they share its one connection anyway.
  const discounts =
    order.discountMinor === 0n
      ? []
      : await db.orderDiscount.findMany({
          where: { orderId: order.id },
          select: { lines: true },
          orderBy: { position: "asc" },
        });
  const taxLines =
    order.taxMinor === 0n
      ? []
      : await db.orderTaxLine.findMany({
          where: { orderId: order.id },
          select: { position: true, amountMinor: true },
          orderBy: { id: "asc" },
        });
  return { pricesIncludeTax: order.pricesIncludeTax, discounts, taxLines };
}
