import type { OrdersReader, OrdersTx } from "./database";

/** A cart line as stored: which variant, how many. */
export interface StoredCartLine {
  id: string;
  productId: string;
  variantId: string;
  quantity: number;
}

export interface CartContents {
  id: string;
  items: StoredCartLine[];
}

const cartWithItems = `
  SELECT c.id::text AS "cartId", i.id::text AS "lineId", i.product_id::text AS "productId",
         i.variant_id::text AS "variantId", i.quantity
    FROM carts c LEFT JOIN cart_items i ON i.cart_id = c.id
   WHERE c.customer_id = $1::uuid
   ORDER BY i.added_at, i.variant_id`;

type CartRow = {
  cartId: string;
  lineId: string | null;
  productId: string | null;
  variantId: string | null;
  quantity: number | null;
};

function contentsOf(rows: readonly CartRow[]): CartContents | undefined {
  if (rows.length === 0) return undefined;
  return {
    id: rows[0]!.cartId,
    items: rows
      .filter((row) => row.variantId !== null)
      .map((row) => ({
        id: row.lineId!,
        productId: row.productId!,
        variantId: row.variantId!,
        quantity: Number(row.quantity),
      })),
  };
}

function createCart(db: OrdersReader, customerId: string): PromiseLike<number> {
  return db.$executeRawUnsafe(
    "INSERT INTO carts (id, customer_id, created_at, updated_at) VALUES (gen_random_uuid(), $1::uuid, now(), now()) ON CONFLICT (customer_id) DO NOTHING",
    customerId,
  );
}

/** The customer's cart with its lines in the order they were added, created on first use: one statement once it exists. */
export async function cartOf(db: OrdersReader, customerId: string): Promise<CartContents> {
  const existing = contentsOf(await db.$queryRawUnsafe<CartRow[]>(cartWithItems, customerId));
  if (existing) return existing;
  await createCart(db, customerId);
  return contentsOf(await db.$queryRawUnsafe<CartRow[]>(cartWithItems, customerId))!;
}

const lockCart = "SELECT id FROM carts WHERE customer_id = $1::uuid FOR UPDATE";

/**
 * Like `cartOf`, with the cart locked until the transaction ends, so that concurrent changes to it
 * queue. The lock is taken first and the lines read by a statement of their own: a statement that
 * waited for the lock reads from a snapshot taken before it waited, which would miss the lines
 * the holder of the lock committed meanwhile (or still show the ones it deleted).
 */
export async function lockedCartOf(tx: OrdersTx, customerId: string): Promise<CartContents> {
  if ((await tx.$queryRawUnsafe<unknown[]>(lockCart, customerId)).length === 0) {
    await createCart(tx, customerId);
    await tx.$queryRawUnsafe<unknown[]>(lockCart, customerId);
  }
  return contentsOf(await tx.$queryRawUnsafe<CartRow[]>(cartWithItems, customerId))!;
}

export function findCartItems(db: OrdersReader, customerId: string) {
  return db.cartItem.findMany({ where: { cart: { customerId } }, orderBy: { addedAt: "asc" } });
}

/** Sets the quantity of a variant's line (0 removes it); answers the line's id (a new one for a new line). */
export async function setCartItem(
  tx: OrdersTx,
  cartId: string,
  line: { variantId: string; productId: string },
  quantity: number,
): Promise<string | null> {
  if (quantity === 0) {
    await tx.cartItem.deleteMany({ where: { cartId, variantId: line.variantId } });
    return null;
  }
  const saved = await tx.cartItem.upsert({
    where: { cartId_variantId: { cartId, variantId: line.variantId } },
    create: { cartId, variantId: line.variantId, productId: line.productId, quantity },
    update: { quantity },
    select: { id: true },
  });
  return saved.id;
}

export async function emptyCart(tx: OrdersTx, customerId: string): Promise<void> {
  await tx.cartItem.deleteMany({ where: { cart: { customerId } } });
}
