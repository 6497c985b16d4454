import type { OrdersReader } from "./database";

/** What a cart's customer chose for checkout; nothing chosen yet when there is no row. */
export async function findCartChoices(
  db: OrdersReader,
  cartId: string,
): Promise<{ shippingMethodId: string | null; discountCodes: string[] }> {
  const row = await db.cartCheckoutChoice.findUnique({ where: { cartId } });
  return { shippingMethodId: row?.shippingMethodId ?? null, discountCodes: row?.discountCodes ?? [] };
}

export async function saveCartChoices(
  db: OrdersReader,
  cartId: string,
  changes: { shippingMethodId?: string | null; discountCodes?: string[] },
): Promise<void> {
  await db.cartCheckoutChoice.upsert({
    where: { cartId },
    create: { cartId, shippingMethodId: changes.shippingMethodId ?? null, discountCodes: changes.discountCodes ?? [] },
    update: changes,
  });
}
