import { Prisma } from "../generated/prisma/client";
import type { OrdersReader, OrdersTx } from "./database";
import type { ShippingAddressSnapshot } from "./records";

/** Whose cart: a customer's (found by the customer, created on first use), or a guest's (found by its id). */
export type CartOwner = { kind: "customer"; customerId: string } | { kind: "guest"; cartId: string };

/** A cart line as stored: which variant, how many. */
export interface StoredCartLine {
  id: string;
  productId: string;
  variantId: string;
  quantity: number;
}

/** Who buys from the cart, as `cartBuyerIdentityUpdate` set it. */
export interface BuyerIdentity {
  email: string | null;
  shippingAddress: ShippingAddressSnapshot | null;
  billingAddress: ShippingAddressSnapshot | null;
}

export interface CartContents {
  id: string;
  /** The customer whose cart it is; null for a guest cart. */
  customerId: string | null;
  items: StoredCartLine[];
  buyer: BuyerIdentity;
  /** Null for a customer's cart. */
  expiresAt: Date | null;
}

/** How long an unused guest cart lives; every change starts the time again. */
export const guestCartLifetimeDays = 30;

const ownerCondition = (owner: CartOwner) =>
  owner.kind === "customer" ? "c.customer_id = $1::uuid" : "c.id = $1::uuid AND c.expires_at > now()";
const ownerKey = (owner: CartOwner) => (owner.kind === "customer" ? owner.customerId : owner.cartId);

const cartWithItems = (owner: CartOwner) => `
  SELECT c.id::text AS "cartId", c.customer_id::text AS "customerId", c.email, c.shipping_address AS "shippingAddress", c.billing_address AS "billingAddress",
         c.expires_at AS "expiresAt", i.id::text AS "lineId", i.product_id::text AS "productId",
         i.variant_id::text AS "variantId", i.quantity
    FROM carts c LEFT JOIN cart_items i ON i.cart_id = c.id
   WHERE ${ownerCondition(owner)}
   ORDER BY i.added_at, i.variant_id`;

type CartRow = {
  cartId: string;
  customerId: string | null;
  email: string | null;
  shippingAddress: ShippingAddressSnapshot | null;
  billingAddress: ShippingAddressSnapshot | null;
  expiresAt: Date | null;
  lineId: string | null;
  productId: string | null;
  variantId: string | null;
  quantity: number | null;
};

function contentsOf(rows: readonly CartRow[]): CartContents | undefined {
  const first = rows[0];
  if (!first) return undefined;
  return {
    id: first.cartId,
    customerId: first.customerId,
    buyer: { email: first.email, shippingAddress: first.shippingAddress, billingAddress: first.billingAddress },
    expiresAt: first.expiresAt,
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

function createCustomerCart(db: OrdersReader, customerId: string): PromiseLike<number> {
  return db.$executeRawUnsafe(
    "INSERT INTO carts (id, customer_id, created_at, updated_at) VALUES (gen_random_uuid(), $1::uuid, now(), now()) ON CONFLICT (customer_id) DO NOTHING",
    customerId,
  );
}

function readCart(db: OrdersReader, owner: CartOwner): Promise<CartContents | undefined> {
  return db.$queryRawUnsafe<CartRow[]>(cartWithItems(owner), ownerKey(owner)).then(contentsOf);
}

/**
 * The cart with its lines in the order they were added: one statement once it exists. A
 * customer's cart is created on first use; a guest cart that does not exist (or expired) is
 * undefined.
 */
export async function findCart(db: OrdersReader, owner: CartOwner): Promise<CartContents | undefined> {
  const existing = await readCart(db, owner);
  if (existing || owner.kind === "guest") return existing;
  await createCustomerCart(db, owner.customerId);
  return readCart(db, owner);
}

/** The customer's cart, created on first use. */
export async function cartOf(db: OrdersReader, customerId: string): Promise<CartContents> {
  return (await findCart(db, { kind: "customer", customerId }))!;
}

const lockCart = (owner: CartOwner) => `SELECT c.id FROM carts c WHERE ${ownerCondition(owner)} FOR UPDATE`;

/**
 * Like `findCart`, with the cart locked until the transaction ends, so that concurrent changes to
 * it queue. The lock is taken first and the lines read by a statement of their own: a statement
 * that waited for the lock reads from a snapshot taken before it waited, which would miss the
 * lines the holder of the lock committed meanwhile (or still show the ones it deleted).
 */
export async function lockedCart(tx: OrdersTx, owner: CartOwner): Promise<CartContents | undefined> {
  if ((await tx.$queryRawUnsafe<unknown[]>(lockCart(owner), ownerKey(owner))).length === 0) {
    if (owner.kind === "guest") return undefined;
    await createCustomerCart(tx, owner.customerId);
    await tx.$queryRawUnsafe<unknown[]>(lockCart(owner), ownerKey(owner));
  }
  return readCart(tx, owner);
}

/** The customer's cart, locked (see `lockedCart`). */
export async function lockedCartOf(tx: OrdersTx, customerId: string): Promise<CartContents> {
  return (await lockedCart(tx, { kind: "customer", customerId }))!;
}

export function findCartItems(db: OrdersReader, owner: CartOwner) {
  return db.cartItem.findMany({
    where: owner.kind === "customer" ? { cart: { customerId: owner.customerId } } : { cartId: owner.cartId },
    orderBy: [{ addedAt: "asc" }, { variantId: "asc" }],
  });
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

export async function removeCartItems(tx: OrdersTx, cartId: string, lineIds: readonly string[]): Promise<void> {
  await tx.cartItem.deleteMany({ where: { cartId, id: { in: [...lineIds] } } });
}

export async function emptyCart(tx: OrdersTx, owner: CartOwner): Promise<void> {
  await tx.cartItem.deleteMany({
    where: owner.kind === "customer" ? { cart: { customerId: owner.customerId } } : { cartId: owner.cartId },
  });
}

/** A guest cart's expiry starts again: it was used. A customer's cart never expires. Answers the new expiry. */
export async function touchCart(tx: OrdersTx, cartId: string): Promise<Date | null> {
  const [row] = await tx.$queryRawUnsafe<Array<{ expiresAt: Date | null }>>(
    `UPDATE carts SET updated_at = now(),
            expires_at = CASE WHEN token_hash IS NULL THEN NULL ELSE now() + make_interval(days => $2) END
      WHERE id = $1::uuid
      RETURNING expires_at AS "expiresAt"`,
    cartId,
    guestCartLifetimeDays,
  );
  return row?.expiresAt ?? null;
}

/** A new, empty guest cart addressed by the hash of its token. */
export function insertGuestCart(db: OrdersReader, tokenHash: string): Promise<{ id: string }> {
  return db.cart.create({
    data: { tokenHash, expiresAt: new Date(Date.now() + guestCartLifetimeDays * 24 * 3600 * 1000) },
    select: { id: true },
  });
}

/** The id of the live guest cart with this token hash; undefined when none (or it expired). */
export async function findGuestCartId(db: OrdersReader, tokenHash: string): Promise<string | undefined> {
  const cart = await db.cart.findFirst({
    where: { tokenHash, expiresAt: { gt: new Date() } },
    select: { id: true },
  });
  return cart?.id;
}

/** Sets the buyer identity fields given (undefined keeps a field, null clears it). */
export async function updateBuyerIdentity(
  tx: OrdersTx,
  cartId: string,
  identity: { [K in keyof BuyerIdentity]?: BuyerIdentity[K] },
): Promise<void> {
  const json = (value: ShippingAddressSnapshot | null | undefined) =>
    value === undefined ? undefined : value === null ? Prisma.DbNull : { ...value };
  await tx.cart.update({
    where: { id: cartId },
    data: {
      ...(identity.email !== undefined ? { email: identity.email } : {}),
      ...(identity.shippingAddress !== undefined ? { shippingAddress: json(identity.shippingAddress) } : {}),
      ...(identity.billingAddress !== undefined ? { billingAddress: json(identity.billingAddress) } : {}),
    },
  });
}

export async function deleteCart(tx: OrdersTx, cartId: string): Promise<void> {
  await tx.cart.deleteMany({ where: { id: cartId } });
}

/** Deletes up to `limit` expired guest carts (their lines go with them); answers how many. */
export function deleteExpiredGuestCarts(db: OrdersReader, limit: number): PromiseLike<number> {
  return db.$executeRawUnsafe(
    `DELETE FROM carts WHERE id IN (
       SELECT id FROM carts WHERE expires_at < now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)`,
    limit,
  );
}
