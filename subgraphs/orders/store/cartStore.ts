import type { SqlExecutor } from "../../common/database/prismaOptions";
import { sql, statement } from "../../common/database/sqlPool";
import { Prisma } from "../generated/prisma/client";
import { catalogVariantJson, variantOfJson, type CatalogVariantJson } from "./catalogStore";
import type { OrdersReader, OrdersTx } from "./database";
import type { CatalogVariantRecord } from "./records";
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

const ownerCondition = {
  customer: "c.customer_id = $1::uuid",
  guest: "c.id = $1::uuid AND c.expires_at > now()",
} as const;
const ownerKey = (owner: CartOwner) => (owner.kind === "customer" ? owner.customerId : owner.cartId);

const cartWithItems = (kind: CartOwner["kind"]) => `
  SELECT c.id::text AS "cartId", c.customer_id::text AS "customerId", c.email, c.shipping_address AS "shippingAddress", c.billing_address AS "billingAddress",
         c.expires_at AS "expiresAt", i.id::text AS "lineId", i.product_id::text AS "productId",
         i.variant_id::text AS "variantId", i.quantity
    FROM carts c LEFT JOIN cart_items i ON i.cart_id = c.id
   WHERE ${ownerCondition[kind]}
   ORDER BY i.added_at, i.variant_id`;

const cartRead = {
  customer: statement("orders.cart.read.customer", cartWithItems("customer")),
  guest: statement("orders.cart.read.guest", cartWithItems("guest")),
};

const cartLock = {
  customer: statement(
    "orders.cart.lock.customer",
    `SELECT c.id FROM carts c WHERE ${ownerCondition.customer} FOR UPDATE`,
  ),
  guest: statement("orders.cart.lock.guest", `SELECT c.id FROM carts c WHERE ${ownerCondition.guest} FOR UPDATE`),
};

const customerCartCreate = statement(
  "orders.cart.create.customer",
  "INSERT INTO carts (id, customer_id, created_at, updated_at) VALUES (gen_random_uuid(), $1::uuid, now(), now()) ON CONFLICT (customer_id) DO NOTHING",
);

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

async function createCustomerCart(db: SqlExecutor, customerId: string): Promise<void> {
  await sql(db, customerCartCreate, [customerId]);
}

function readCart(db: SqlExecutor, owner: CartOwner): Promise<CartContents | undefined> {
  return sql<CartRow>(db, cartRead[owner.kind], [ownerKey(owner)]).then(contentsOf);
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

const cartWithVariantsText = (kind: CartOwner["kind"]) => `
  WITH cart AS (
    SELECT c.id, c.xmin, c.customer_id, c.email, c.shipping_address, c.billing_address, c.expires_at
      FROM carts c WHERE ${ownerCondition[kind]}
  ), lines AS (
    SELECT i.id, i.product_id, i.variant_id, i.quantity, i.added_at FROM cart_items i JOIN cart ON i.cart_id = cart.id
  )
  SELECT cart.id::text AS "cartId", cart.xmin::text AS version, cart.customer_id::text AS "customerId", cart.email,
         cart.shipping_address AS "shippingAddress", cart.billing_address AS "billingAddress", cart.expires_at AS "expiresAt",
         (SELECT json_agg(json_build_object('id', l.id, 'productId', l.product_id, 'variantId', l.variant_id,
                                            'quantity', l.quantity) ORDER BY l.added_at, l.variant_id)
            FROM lines l) AS lines,
         (SELECT json_agg(${catalogVariantJson})
            FROM catalog_variants v WHERE v.variant_id IN (SELECT variant_id FROM lines)) AS variants
    FROM cart`;

const cartWithVariantsRead = {
  customer: statement("orders.cart.read_with_variants.customer", cartWithVariantsText("customer")),
  guest: statement("orders.cart.read_with_variants.guest", cartWithVariantsText("guest")),
};

type CartWithVariantsRow = Omit<CartRow, "lineId" | "productId" | "variantId" | "quantity"> & {
  version: string;
  lines: StoredCartLine[] | null;
  variants: CatalogVariantJson[] | null;
};

/**
 * A cart as one statement read it, with the cart row's version then (its `xmin`): every change of
 * the cart's lines updates the cart row in the same transaction (see `emptyCart`), so the same
 * version later means the same lines.
 */
export interface CartWithVariants {
  cart: CartContents;
  version: string;
  variants: CatalogVariantRecord[];
}

async function readCartWithVariants(db: OrdersReader, owner: CartOwner): Promise<CartWithVariants | undefined> {
  const [row] = await sql<CartWithVariantsRow>(db, cartWithVariantsRead[owner.kind], [ownerKey(owner)]);
  if (!row) return undefined;
  return {
    version: row.version,
    cart: {
      id: row.cartId,
      customerId: row.customerId,
      buyer: { email: row.email, shippingAddress: row.shippingAddress, billingAddress: row.billingAddress },
      expiresAt: row.expiresAt,
      items: row.lines ?? [],
    },
    variants: (row.variants ?? []).map(variantOfJson),
  };
}

/**
 * Like `findCart`, with the read model's rows of the cart's variants (those it knows), in one
 * statement once the cart exists.
 */
export async function findCartWithVariants(db: OrdersReader, owner: CartOwner): Promise<CartWithVariants | undefined> {
  const existing = await readCartWithVariants(db, owner);
  if (existing || owner.kind === "guest") return existing;
  await createCustomerCart(db, owner.customerId);
  return readCartWithVariants(db, owner);
}

/** The customer's cart, created on first use. */
export async function cartOf(db: OrdersReader, customerId: string): Promise<CartContents> {
  return (await findCart(db, { kind: "customer", customerId }))!;
}

const lockCart = (tx: SqlExecutor, owner: CartOwner) =>
  sql<{ id: string }>(tx, cartLock[owner.kind], [ownerKey(owner)]);

/**
 * Like `findCart`, with the cart locked until the transaction ends, so that concurrent changes to
 * it queue. The lock is taken first and the lines read by a statement of their own: a statement
 * that waited for the lock reads from a snapshot taken before it waited, which would miss the
 * lines the holder of the lock committed meanwhile (or still show the ones it deleted).
 */
export async function lockedCart(tx: SqlExecutor, owner: CartOwner): Promise<CartContents | undefined> {
  if ((await lockCart(tx, owner)).length === 0) {
    if (owner.kind === "guest") return undefined;
    await createCustomerCart(tx, owner.customerId);
    await lockCart(tx, owner);
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

/** A line's new quantity (0 removes it). */
export interface CartLineWrite {
  variantId: string;
  productId: string;
  quantity: number;
}

/**
 * `at`: only if the cart row is still at the version read (`$6`) and live, which the statement
 * locks first; else it writes nothing (`applied` false). After waiting for a concurrent change's
 * lock, the row is checked again as that change left it, so a change committed since the read
 * (every one updates the cart row) gives no row.
 */
const linesWriteText = (at: boolean) => {
  const ifLocked = at ? " AND EXISTS (SELECT 1 FROM locked)" : "";
  return `WITH ${
    at
      ? `locked AS (
     SELECT c.id FROM carts c
      WHERE c.id = $1::uuid AND c.xmin = $6::xid AND (c.expires_at IS NULL OR c.expires_at > now())
        FOR UPDATE
   ), `
      : ""
  }input AS (
     SELECT w.variant_id, w.product_id, w.quantity, w.n
       FROM unnest($2::uuid[], $3::uuid[], $4::int[]) WITH ORDINALITY AS w(variant_id, product_id, quantity, n)
   ), removed AS (
     DELETE FROM cart_items i USING input
      WHERE i.cart_id = $1::uuid AND i.variant_id = input.variant_id AND input.quantity = 0${ifLocked}
   ), saved AS (
     -- A new line comes after every line the cart holds, and the new lines in the order given:
     -- a millisecond apart (the column keeps milliseconds), so the order never falls to the tie-break.
     INSERT INTO cart_items (id, cart_id, variant_id, product_id, quantity, added_at)
     SELECT gen_random_uuid(), $1::uuid, a.variant_id, a.product_id, a.quantity,
            greatest(date_trunc('milliseconds', clock_timestamp()), last.at + interval '1 millisecond')
              + (row_number() OVER (ORDER BY a.n) - 1) * interval '1 millisecond'
       FROM input a CROSS JOIN (SELECT max(added_at) AS at FROM cart_items WHERE cart_id = $1::uuid) last
      WHERE a.quantity > 0${ifLocked}
     ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity
     RETURNING variant_id::text AS "variantId", id::text AS id
   ), touched AS (
     UPDATE carts SET updated_at = now(),
            expires_at = CASE WHEN token_hash IS NULL THEN NULL ELSE now() + make_interval(days => $5) END
      WHERE id = $1::uuid${ifLocked}
      RETURNING expires_at
   )
   SELECT ${at ? "EXISTS (SELECT 1 FROM locked)" : "true"} AS applied, (SELECT expires_at FROM touched) AS "expiresAt",
          (SELECT coalesce(json_agg(json_build_object('variantId', "variantId", 'id', id)), '[]') FROM saved) AS saved`;
};

const linesWrite = statement("orders.cart.lines.write", linesWriteText(false));
const linesWriteAt = statement("orders.cart.lines.write_at", linesWriteText(true));

type LinesWriteRow = { applied: boolean; expiresAt: Date | null; saved: Array<{ variantId: string; id: string }> };

const linesWriteParameters = (cartId: string, lines: readonly CartLineWrite[]) => [
  cartId,
  lines.map((line) => line.variantId),
  lines.map((line) => line.productId),
  lines.map((line) => line.quantity),
  guestCartLifetimeDays,
];

const writtenOf = (row: LinesWriteRow | undefined) => ({
  lineIds: new Map((row?.saved ?? []).map((line) => [line.variantId, line.id])),
  expiresAt: row?.expiresAt ?? null,
});

/**
 * Sets the quantities of variants' lines (0 removes a line) and starts a guest cart's lifetime
 * again, in one statement, in a transaction that holds the cart's lock. Answers the ids of the
 * lines kept (new ones for new lines) by variant, and the cart's new expiry (null for a
 * customer's cart).
 */
export async function writeCartLines(
  tx: SqlExecutor,
  cartId: string,
  lines: readonly CartLineWrite[],
): Promise<{ lineIds: Map<string, string>; expiresAt: Date | null }> {
  const [row] = await sql<LinesWriteRow>(tx, linesWrite, linesWriteParameters(cartId, lines));
  return writtenOf(row);
}

/**
 * Like `writeCartLines`, with no transaction around it (one statement is atomic by itself): only
 * if the cart is still at `version` (as `findCartWithVariants` read it) and live, so that a change
 * decided on that read never overwrites one committed since. Undefined: nothing written, the cart
 * changed (or is gone) since; read it again.
 */
export async function writeCartLinesAt(
  db: SqlExecutor,
  cart: { id: string; version: string },
  lines: readonly CartLineWrite[],
): Promise<{ lineIds: Map<string, string>; expiresAt: Date | null } | undefined> {
  const [row] = await sql<LinesWriteRow>(db, linesWriteAt, [...linesWriteParameters(cart.id, lines), cart.version]);
  return row?.applied ? writtenOf(row) : undefined;
}

export async function removeCartItems(tx: OrdersTx, cartId: string, lineIds: readonly string[]): Promise<void> {
  await tx.cartItem.deleteMany({ where: { cartId, id: { in: [...lineIds] } } });
}

const cartEmpty = {
  customer: statement(
    "orders.cart.empty.customer",
    `WITH emptied AS (DELETE FROM cart_items i USING carts c WHERE i.cart_id = c.id AND c.customer_id = $1::uuid)
     UPDATE carts SET updated_at = now() WHERE customer_id = $1::uuid`,
  ),
  guest: statement(
    "orders.cart.empty.guest",
    `WITH emptied AS (DELETE FROM cart_items WHERE cart_id = $1::uuid)
     UPDATE carts SET updated_at = now() WHERE id = $1::uuid`,
  ),
};

/**
 * Empties the cart, and touches its row as every change of its lines does: a checkout that read
 * the cart before sees it changed (the cart row's version, see `placeOrderAtOnce`).
 */
export async function emptyCart(tx: SqlExecutor, owner: CartOwner): Promise<void> {
  await sql(tx, cartEmpty[owner.kind], [ownerKey(owner)]);
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
