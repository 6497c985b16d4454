import type { OrdersReader, OrdersTx } from "./database";

/** The customer's cart, created on first use. */
export async function cartOf(tx: OrdersTx, customerId: string) {
  return tx.cart.upsert({ where: { customerId }, create: { customerId }, update: {}, include: { items: { orderBy: { addedAt: "asc" } } } });
}

export function findCartItems(db: OrdersReader, customerId: string) {
  return db.cartItem.findMany({ where: { cart: { customerId } }, orderBy: { addedAt: "asc" } });
}

export async function setCartItem(tx: OrdersTx, cartId: string, productId: string, quantity: number): Promise<void> {
  if (quantity === 0) {
    await tx.cartItem.deleteMany({ where: { cartId, productId } });
    return;
  }
  await tx.cartItem.upsert({ where: { cartId_productId: { cartId, productId } }, create: { cartId, productId, quantity }, update: { quantity } });
}

export async function emptyCart(tx: OrdersTx, customerId: string): Promise<void> {
  await tx.cartItem.deleteMany({ where: { cart: { customerId } } });
}
