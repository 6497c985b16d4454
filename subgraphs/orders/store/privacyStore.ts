import type { Prisma } from "../generated/prisma/client";
import type { OrdersReader, OrdersTx } from "./database";

/** A customer's most recent orders with their lines and history, for an export. */
export function findOrdersOfCustomer(db: OrdersReader, customerId: string, take: number) {
  return db.order.findMany({
    where: { customerId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    include: { items: { orderBy: { position: "asc" } }, statusHistory: { orderBy: { at: "asc" } } },
  });
}

export function findCartOfCustomer(db: OrdersReader, customerId: string) {
  return db.cart.findUnique({ where: { customerId }, include: { items: { orderBy: { addedAt: "asc" } } } });
}

/**
 * Replaces the personal fields of every order of the customer: the shipping address keeps only
 * its country (the books' tax jurisdiction), the card token goes. Totals, lines, statuses and the
 * customer id (now a tombstone's) stay for the books. Returns the orders changed.
 */
export async function erasePersonalFieldsOfOrders(
  tx: OrdersTx,
  customerId: string,
  erasedAddress: (country: string) => Prisma.InputJsonValue,
): Promise<number> {
  const orders = await tx.order.findMany({ where: { customerId }, select: { id: true, shippingAddress: true } });
  for (const order of orders) {
    const country = (order.shippingAddress as { country?: unknown } | null)?.country;
    await tx.order.update({
      where: { id: order.id },
      data: { shippingAddress: erasedAddress(typeof country === "string" ? country : ""), paymentToken: "" },
    });
  }
  return orders.length;
}

/** Deletes the customer's cart and its lines; 1 when there was one. */
export async function deleteCartOfCustomer(tx: OrdersTx, customerId: string): Promise<number> {
  const { count } = await tx.cart.deleteMany({ where: { customerId } });
  return count;
}
