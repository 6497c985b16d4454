import { sql, statement, type SqlValue } from "../../common/database/sqlPool";
import type { EventEnvelope } from "../../common/events/envelope";
import { outboxInsertOf, outboxRows } from "../../common/events/outbox";
import type { CartOwner, StoredCartLine } from "./cartStore";
import type { SqlExecutor } from "../../common/database/prismaOptions";
import type { OrdersReader } from "./database";
import type { NewOrder } from "./orderStore";
import { orderColumns } from "./orderStore";
import { catalogVariantJson, variantOfJson, type CatalogVariantJson } from "./catalogStore";
import type { CatalogVariantRecord, OrderItemRecord, OrderRecord } from "./records";
import {
  chosenDiscounts,
  configLimits,
  configurationColumns,
  configurationOf,
  type ConfigurationParameters,
  type ConfigurationRow,
  type PricingConfiguration,
} from "./pricingConfigStore";

/**
 * The checkout's hot path in set-based SQL on the service's pool (see sqlPool.ts): what a
 * checkout reads before pricing in one statement, the shop's pricing configuration included, and the order placed in one more with no
 * transaction around it (`placeOrderAtOnce`), or, for a guest or an order holding discount uses,
 * in two statements of its transaction (the claim with the cart's lock, then every check and
 * every row). Prisma's models
 * stay for everything else; these rows are typed by hand, with the same types Prisma gives.
 */

// ---------------------------------------------------------------------------------------------
// Before pricing: the idempotency key's claim, the cart's lines and choices, and their variants.

/** What a checkout reads before it prices: one statement. */
export interface CheckoutRead {
  /** The key's earlier claim, if any. */
  claim: { requestHash: string; orderId: string } | null;
  /** The cart's id (null: none, or an order of `items`). */
  cartId: string | null;
  /**
   * The cart row's version (its `xmin`): every change of the cart's lines updates the cart row
   * (`touchCart`, `writeCartLines`, an order emptying it), so the same version later means the
   * same lines.
   */
  cartVersion: string | null;
  /** The cart's lines in the order they were added. */
  lines: StoredCartLine[];
  /** What the cart's customer chose for checkout. */
  choices: { shippingMethodId: string | null; discountCodes: string[] } | null;
  /** The catalog read model's rows of the cart's variants (those it knows). */
  variants: CatalogVariantRecord[];
  /**
   * The shop's pricing configuration for this checkout (`PricingRead`), in the currency the
   * lines are priced in: the shipping methods of that currency only.
   */
  pricing: (currency: string) => PricingConfiguration;
}

/**
 * What the checkout's read also brings for pricing (as `loadPricingConfiguration` reads it, every
 * currency's methods): the codes of the request (null: the cart's chosen codes, or none), the
 * destination's country (null: no tax rates), whose uses count, and the time discounts are
 * active at (the pricing's `now`).
 */
export interface PricingRead {
  codes: readonly string[] | null;
  country: string | null;
  buyerKey: string | null;
  now: Date;
}

type CheckoutReadRow = ConfigurationRow & {
  claimedHash: string | null;
  claimedOrderId: string | null;
  cartId: string | null;
  cartVersion: string | null;
  lines: StoredCartLine[] | null;
  choices: { shippingMethodId: string | null; discountCodes: string[] } | null;
  variants: CatalogVariantJson[] | null;
};

const cartCondition = {
  customer: "c.customer_id = $3::uuid",
  guest: "c.id = $3::uuid AND c.expires_at > now()",
  none: "false AND $3::uuid IS NULL",
} as const;

/** The pricing configuration's parameters in the checkout's read: the codes are the CTE `codes`'. */
const pricingParameters: ConfigurationParameters = {
  // An array expression (a bare subquery in ANY would be compared row by row).
  codes: "(SELECT codes FROM codes)::text[]",
  now: "$5::timestamptz",
  limit: "$6::int + cardinality((SELECT codes FROM codes))",
  zones: "$7::int",
  currency: null,
  country: "$8::text",
  taxRates: "$9::int",
  buyerKey: "$10::text",
};

/**
 * The codes priced, as the checkout picks them: the request's (`$4`), or else the cart's chosen
 * ones (a checkout of a cart's lines only gets here with lines), or none.
 */
const checkoutReadText = (owner: keyof typeof cartCondition) => `
  WITH claim AS (
    SELECT request_hash, order_id FROM order_requests WHERE customer_id = $1::uuid AND idempotency_key = $2
  ), cart AS (
    SELECT c.id, c.xmin FROM carts c WHERE ${cartCondition[owner]}
  ), lines AS (
    SELECT i.id, i.product_id, i.variant_id, i.quantity, i.added_at FROM cart_items i JOIN cart ON i.cart_id = cart.id
  ), choice AS (
    SELECT ch.shipping_method_id, ch.discount_codes FROM cart_checkout_choices ch JOIN cart ON ch.cart_id = cart.id
  ), codes AS (
    SELECT coalesce($4::text[], (SELECT discount_codes FROM choice), '{}'::text[]) AS codes
  ), ${chosenDiscounts(pricingParameters)}
  SELECT (SELECT request_hash FROM claim) AS "claimedHash", (SELECT order_id::text FROM claim) AS "claimedOrderId",
         (SELECT id::text FROM cart) AS "cartId", (SELECT xmin::text FROM cart) AS "cartVersion",
         (SELECT json_agg(json_build_object('id', l.id, 'productId', l.product_id, 'variantId', l.variant_id,
                                            'quantity', l.quantity) ORDER BY l.added_at, l.variant_id)
            FROM lines l) AS lines,
         (SELECT json_build_object('shippingMethodId', ch.shipping_method_id, 'discountCodes', ch.discount_codes)
            FROM choice ch) AS choices,
         (SELECT json_agg(${catalogVariantJson})
            FROM catalog_variants v WHERE v.variant_id IN (SELECT variant_id FROM lines)) AS variants,
         ${configurationColumns(pricingParameters)}`;

const checkoutRead = {
  customer: statement("orders.checkout.read.customer", checkoutReadText("customer")),
  guest: statement("orders.checkout.read.guest", checkoutReadText("guest")),
  none: statement("orders.checkout.read.items", checkoutReadText("none")),
};

/**
 * Everything a checkout reads before pricing, in one statement: the idempotency key's claim, and
 * for a cart checkout the cart's lines, its checkout choices and the read model's rows of its
 * variants, and the shop's pricing configuration for it (`pricing`: the discounts its codes name
 * and the promotions active at `pricing.now` with the buyer's uses of them, the zones and
 * methods, the country's tax rates). `cart` null: an order of the items the request names (no
 * cart is read).
 */
export async function readCheckout(
  db: OrdersReader,
  request: { customerId: string; idempotencyKey: string; cart: CartOwner | null; pricing: PricingRead },
): Promise<CheckoutRead> {
  const owner = request.cart?.kind ?? "none";
  const cartKey = request.cart
    ? request.cart.kind === "customer"
      ? request.cart.customerId
      : request.cart.cartId
    : null;
  const { pricing } = request;
  const [row] = await sql<CheckoutReadRow>(db, checkoutRead[owner], [
    request.customerId,
    request.idempotencyKey,
    cartKey,
    pricing.codes ? [...pricing.codes] : null,
    pricing.now,
    configLimits.promotions,
    configLimits.zones,
    pricing.country ?? "",
    configLimits.taxRates,
    pricing.buyerKey,
  ]);
  return {
    claim:
      row?.claimedHash && row.claimedOrderId ? { requestHash: row.claimedHash, orderId: row.claimedOrderId } : null,
    cartId: row?.cartId ?? null,
    cartVersion: row?.cartVersion ?? null,
    lines: row?.lines ?? [],
    choices: row?.choices ?? null,
    variants: (row?.variants ?? []).map(variantOfJson),
    pricing: (currency) => configurationOf(row, currency),
  };
}

const claimRead = statement(
  "orders.checkout.claim.read",
  `SELECT request_hash AS "requestHash", order_id::text AS "orderId" FROM order_requests
    WHERE customer_id = $1::uuid AND idempotency_key = $2`,
);

/** The idempotency key's claim, if any (read after a concurrent request with the key committed). */
export async function readClaim(
  db: OrdersReader,
  request: { customerId: string; idempotencyKey: string },
): Promise<{ requestHash: string; orderId: string } | null> {
  const [row] = await sql<{ requestHash: string; orderId: string }>(db, claimRead, [
    request.customerId,
    request.idempotencyKey,
  ]);
  return row ?? null;
}

const orderById = statement("orders.order.byId", `SELECT ${orderColumns} FROM orders WHERE id = $1::uuid`);

/** One order by id (a repeated checkout's answer). */
export async function findOrder(db: OrdersReader, id: string): Promise<OrderRecord | null> {
  const [row] = await sql<OrderRecord>(db, orderById, [id]);
  return row ?? null;
}

// ---------------------------------------------------------------------------------------------
// In the order's transaction: the claim and the cart's lock, then the checks and the rows.

/**
 * The idempotency claim and, after it, the cart's lock (`claim`, `locked`), for the parameters
 * named (customer, key, request hash, order id) and the cart's condition.
 */
const claimThenLock = (
  params: { customer: string; key: string; hash: string; order: string },
  cart: string,
) => `claim AS (
    INSERT INTO order_requests (customer_id, idempotency_key, request_hash, order_id)
    VALUES (${params.customer}::uuid, ${params.key}, ${params.hash}, ${params.order}::uuid)
    ON CONFLICT DO NOTHING
    RETURNING order_id
  ), locked AS (
    -- After the claim (it reads the claim's row): a request that lost the claim locks nothing.
    SELECT c.id FROM carts c, claim WHERE ${cart} FOR UPDATE OF c
  )`;

const claimText = (owner: keyof typeof cartCondition) => `
  WITH ${claimThenLock({ customer: "$1", key: "$2", hash: "$4", order: "$5" }, cartCondition[owner])}
  SELECT EXISTS (SELECT 1 FROM claim) AS claimed, (SELECT id::text FROM locked) AS "cartId"`;

const claimAndLock = {
  customer: statement("orders.checkout.claim.customer", claimText("customer")),
  guest: statement("orders.checkout.claim.guest", claimText("guest")),
  none: statement("orders.checkout.claim.items", claimText("none")),
};

/**
 * Claims the idempotency key for the new order (waiting for a concurrent claim of the same key
 * to commit) and, when it was claimed, locks the cart until the transaction ends, in one
 * statement. `claimed` false: the key was claimed already. `cartId` null: no cart to lock.
 */
export async function claimOrderAndLockCart(
  tx: SqlExecutor,
  request: { customerId: string; idempotencyKey: string; requestHash: string; orderId: string; cart: CartOwner | null },
): Promise<{ claimed: boolean; cartId: string | null }> {
  const owner = request.cart?.kind ?? "none";
  const cartKey = request.cart
    ? request.cart.kind === "customer"
      ? request.cart.customerId
      : request.cart.cartId
    : null;
  const [row] = await sql<{ claimed: boolean; cartId: string | null }>(tx, claimAndLock[owner], [
    request.customerId,
    request.idempotencyKey,
    cartKey,
    request.requestHash,
    request.orderId,
  ]);
  return { claimed: row?.claimed ?? false, cartId: row?.cartId ?? null };
}

/** Why the order was not placed: the checks the statement makes, in the order they are made. */
const placementRefusals = ["EMPTY_CART", "CART_CHANGED", "ORDERS_HELD", "UNITS_HELD", "CLIENT_ORDERS_HELD"] as const;
export type PlacementRefusal = (typeof placementRefusals)[number];

export interface OrderPlacement {
  order: NewOrder;
  /** The locked cart the order empties, with the lines it was priced with; null for an order of items. */
  cart: { id: string; lines: ReadonlyArray<{ variantId: string; quantity: number }> } | null;
  limits: { ordersPerBuyer: number; unitsPerBuyer: number; guestOrdersPerClient: number };
  /** When the order is placed: its `createdAt`, and the time its first events tell. */
  createdAt: Date;
}

export type PlacementOutcome =
  | { placed: OrderRecord; items: OrderItemRecord[] }
  | { refusal: PlacementRefusal; heldOrders: number; heldUnits: number }
  | { claimedElsewhere: true };

/** A cart's lines as one comparable value: `variant:quantity`, by variant (a cart holds a variant once). */
export const cartLinesKey = (lines: ReadonlyArray<{ variantId: string; quantity: number }>): string =>
  [...lines]
    .sort((a, b) => (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0))
    .map((line) => `${line.variantId}:${line.quantity}`)
    .join(",");

/** The columns of `order_items` under the names of OrderItem. */
export const itemJson = (alias: string) => `json_build_object('id', ${alias}.id, 'orderId', ${alias}.order_id,
  'position', ${alias}.position, 'productId', ${alias}.product_id, 'variantId', ${alias}.variant_id,
  'productName', ${alias}.product_name, 'variantTitle', ${alias}.variant_title, 'sku', ${alias}.sku,
  'selectedOptions', ${alias}.selected_options, 'imageUrl', ${alias}.image_url, 'imageAlt', ${alias}.image_alt,
  'quantity', ${alias}.quantity, 'unitPriceMinor', ${alias}.unit_price_minor::text)`;

export type ItemJson = Omit<OrderItemRecord, "unitPriceMinor" | "currency"> & { unitPriceMinor: string };

export const itemsOf = (rows: ItemJson[] | null, currency: string): OrderItemRecord[] =>
  (rows ?? []).map((row) => ({ ...row, unitPriceMinor: BigInt(row.unitPriceMinor), currency }));

/** How the placing statement runs: in the order's transaction after the claim and the cart's lock, or as all of it. */
type PlacementMode = "inTransaction" | "atOnce";

/**
 * The order placed, in one statement: the cart must still hold the lines priced, the buyer's
 * unpaid orders and units (and a guest client's orders) stay within the limits, and then the
 * order, its lines, discounts, tax lines and first status row are written, the cart emptied and
 * its row touched (its version changes). A failed check writes nothing and says which failed.
 *
 * `inTransaction`: after `claimOrderAndLockCart` (its snapshot sees what committed while that
 * waited). `atOnce`: the whole checkout, with no transaction around it (one statement is atomic
 * by itself). It claims the key first (`$31`, `$32`: waiting, as the transaction's claim does, for
 * a concurrent request with the key, and holding no lock meanwhile), then locks the cart as it
 * was read and priced (its version `$30`: a change that touched the cart row since gives no row),
 * and reads the locked cart's lines with a snapshot of their own (`orders_cart_lines_now`: the
 * statement's snapshot is older than the lock). A refused order raises an error that carries the
 * refusal (`orders_refuse_placement`, read back by `refusalOf`), so the claim is undone with the
 * rest; a request that lost the claim writes nothing. The order's events go to the outbox with it
 * (`$33`-`$36`).
 */
const placementText = (mode: PlacementMode) => `WITH ${
  mode === "atOnce"
    ? `${claimThenLock({ customer: "$3", key: "$31", hash: "$32", order: "$1" }, "c.id = $23::uuid AND c.xmin = $30::xid")}, current AS (
     SELECT (SELECT orders_cart_lines_now(id) FROM locked) AS lines
   ), `
    : `current AS (
     SELECT string_agg(variant_id::text || ':' || quantity, ',' ORDER BY variant_id) AS lines
       FROM cart_items WHERE cart_id = $23::uuid
   ), `
}unpaid AS (
     SELECT o.id, o.status FROM orders o
      WHERE $11::text IS NULL AND o.customer_id = $3::uuid AND o.status IN ('PENDING', 'AWAITING_PAYMENT')
            AND o.exchange_for_return_id IS NULL
     UNION ALL
     SELECT o.id, o.status FROM orders o
      WHERE o.guest_email = $11 AND o.status IN ('PENDING', 'AWAITING_PAYMENT')
            AND o.exchange_for_return_id IS NULL
   ), held AS (
     SELECT count(DISTINCT u.id)::int AS orders, coalesce(sum(i.quantity), 0)::int AS units
       FROM unpaid u JOIN order_items i ON i.order_id = u.id
   ), client_held AS (
     SELECT count(DISTINCT o.id)::int AS orders
       FROM orders o JOIN order_items i ON i.order_id = o.id
      WHERE o.client_key = $12 AND o.status IN ('PENDING', 'AWAITING_PAYMENT')
            AND o.exchange_for_return_id IS NULL
   ), verdict AS (
     SELECT CASE
              ${mode === "atOnce" ? "WHEN $23::uuid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM locked) THEN 'CART_CHANGED'" : ""}
              WHEN $23::uuid IS NOT NULL AND current.lines IS NULL THEN 'EMPTY_CART'
              WHEN $23::uuid IS NOT NULL AND current.lines IS DISTINCT FROM $24 THEN 'CART_CHANGED'
              WHEN held.orders >= $25::int THEN 'ORDERS_HELD'
              WHEN held.units + $26::int > $27::int THEN 'UNITS_HELD'
              WHEN $12::text IS NOT NULL AND client_held.orders >= $28::int THEN 'CLIENT_ORDERS_HELD'
            END AS refusal, held.orders, held.units
       FROM current, held, client_held
   ), placed AS (
     INSERT INTO orders (id, number, customer_id, currency, subtotal_minor, total_minor, shipping_address, payment_token,
                         payment_method_id, payment_deadline, guest_email, client_key, billing_address, shipping_minor,
                         discount_minor, tax_minor, prices_include_tax, shipping_method_id, shipping_method_name,
                         status, created_at, updated_at)
     SELECT $1::uuid, $2, $3::uuid, $4, $5::bigint, $6::bigint, $7::jsonb, $8, $9::uuid, $10::timestamptz, $11, $12,
            $13::jsonb, $14::bigint, $15::bigint, $16::bigint, $17::boolean, $18::uuid, $19, 'PENDING'::"OrderStatus",
            $29::timestamptz, $29::timestamptz
       FROM verdict WHERE refusal IS NULL${mode === "atOnce" ? " AND EXISTS (SELECT 1 FROM claim)" : ""}
     RETURNING ${orderColumns}
   ), items AS (
     INSERT INTO order_items (id, order_id, position, product_id, variant_id, product_name, variant_title, sku,
                              selected_options, image_url, image_alt, quantity, unit_price_minor)
     SELECT gen_random_uuid(), p.id::uuid, l.position, l."productId", l."variantId", l."productName", l."variantTitle",
            l.sku, l."selectedOptions", l."imageUrl", l."imageAlt", l.quantity, l."unitPriceMinor"
       FROM placed p, jsonb_to_recordset($20::jsonb) AS l(position int, "productId" uuid, "variantId" uuid,
            "productName" text, "variantTitle" text, sku text, "selectedOptions" jsonb, "imageUrl" text,
            "imageAlt" text, quantity int, "unitPriceMinor" bigint)
     RETURNING *
   ), discounts AS (
     INSERT INTO order_discounts (id, order_id, discount_id, code, title, amount_minor, shipping_minor, lines, position)
     SELECT gen_random_uuid(), p.id::uuid, d."discountId", d.code, d.title, d."amountMinor", d."shippingMinor",
            d.lines, d.position
       FROM placed p, jsonb_to_recordset($21::jsonb) AS d(position int, "discountId" uuid, code text, title text,
            "amountMinor" bigint, "shippingMinor" bigint, lines jsonb)
   ), taxes AS (
     INSERT INTO order_tax_lines (order_id, position, tax_category, rate_ppm, taxable_minor, amount_minor)
     SELECT p.id::uuid, t.position, t."taxCategory"::"TaxCategory", t."ratePpm", t."taxableMinor", t."amountMinor"
       FROM placed p, jsonb_to_recordset($22::jsonb) AS t(position int, "taxCategory" text, "ratePpm" int,
            "taxableMinor" bigint, "amountMinor" bigint)
   ), history AS (
     INSERT INTO order_status_changes (order_id, status, reason, at)
     SELECT p.id::uuid, 'PENDING'::"OrderStatus", 'order placed', p."createdAt" FROM placed p
   ), emptied AS (
     DELETE FROM cart_items WHERE cart_id = $23::uuid AND EXISTS (SELECT 1 FROM placed)
   ), touched AS (
     UPDATE carts SET updated_at = now() WHERE id = $23::uuid AND EXISTS (SELECT 1 FROM placed)
   )${mode === "atOnce" ? `, outbox AS (\n     ${outboxInsertOf(33, "EXISTS (SELECT 1 FROM placed)")}\n   )` : ""}
   SELECT v.refusal, v.orders AS "heldOrders", v.units AS "heldUnits", ${
     mode === "atOnce"
       ? `EXISTS (SELECT 1 FROM claim) AS claimed,
          -- A refusal after the claim: an error, so that nothing (the claim too) is written.
          CASE WHEN v.refusal IS NOT NULL AND EXISTS (SELECT 1 FROM claim)
               THEN orders_refuse_placement(v.refusal, v.orders, v.units) END AS raised,`
       : "true AS claimed, NULL AS raised,"
   } p.*,
          (SELECT json_agg(${itemJson("i")} ORDER BY i.position) FROM items i) AS items
     FROM verdict v LEFT JOIN placed p ON true`;

/** The SQLSTATE `orders_refuse_placement` raises: a class of our own (see its migration). */
const refusedState = "OR001";

const refusals: ReadonlySet<string> = new Set(placementRefusals);

/** The fields of a PostgreSQL error `refusalOf` reads, as pg or Prisma's driver adapter gives them. */
interface PostgresErrorFields {
  code?: unknown;
  originalCode?: unknown;
  detail?: unknown;
}

/**
 * The refusal a failed `atOnce` placement carried: `orders_refuse_placement` raises SQLSTATE
 * OR001 with the refusal and the held orders and units as JSON in its DETAIL. pg's error has both
 * fields itself; Prisma's raw query error (P2010) has them in its driver adapter error's cause.
 */
export function refusalOf(error: unknown): PlacementOutcome | null {
  const { code, meta } = (error ?? {}) as { code?: unknown; meta?: { driverAdapterError?: { cause?: unknown } } };
  const fields = (code === "P2010" ? meta?.driverAdapterError?.cause : error) as PostgresErrorFields | undefined;
  if ((fields?.originalCode ?? fields?.code) !== refusedState || typeof fields?.detail !== "string") return null;
  const { refusal, orders, units } = JSON.parse(fields.detail) as { refusal: unknown; orders: unknown; units: unknown };
  if (typeof refusal !== "string" || !refusals.has(refusal)) return null;
  return { refusal: refusal as PlacementRefusal, heldOrders: Number(orders), heldUnits: Number(units) };
}

const placeOrderStatement = {
  inTransaction: statement("orders.checkout.place", placementText("inTransaction")),
  atOnce: statement("orders.checkout.placeAtOnce", placementText("atOnce")),
};

type PlacementRow = Partial<OrderRecord> & {
  refusal: PlacementRefusal | null;
  heldOrders: number;
  heldUnits: number;
  claimed: boolean;
  raised: null;
  items: ItemJson[] | null;
};

/** The parameters `$1`-`$29` of the placing statement. */
function placementValues(placement: OrderPlacement): SqlValue[] {
  const { order, cart, limits } = placement;
  const units = order.lines.reduce((sum, line) => sum + line.quantity, 0);
  return [
    order.id,
    order.number,
    order.customerId,
    order.currency,
    order.subtotalMinor.toString(),
    order.totalMinor.toString(),
    JSON.stringify(order.shippingAddress),
    order.paymentToken,
    order.paymentMethodId,
    order.paymentDeadline,
    order.guestEmail ?? null,
    order.clientKey ?? null,
    order.billingAddress ? JSON.stringify(order.billingAddress) : null,
    order.shippingMinor.toString(),
    order.discountMinor.toString(),
    order.taxMinor.toString(),
    order.pricesIncludeTax,
    order.shippingMethodId,
    order.shippingMethodName,
    JSON.stringify(
      order.lines.map((line, position) => ({ ...line, position, unitPriceMinor: line.unitPriceMinor.toString() })),
    ),
    JSON.stringify(
      order.discounts.map((discount, position) => ({
        ...discount,
        position,
        amountMinor: discount.amountMinor.toString(),
        shippingMinor: discount.shippingMinor.toString(),
      })),
    ),
    JSON.stringify(
      order.taxLines.map((line) => ({
        ...line,
        taxableMinor: line.taxableMinor.toString(),
        amountMinor: line.amountMinor.toString(),
      })),
    ),
    cart?.id ?? null,
    cart ? cartLinesKey(cart.lines) : null,
    limits.ordersPerBuyer,
    units,
    limits.unitsPerBuyer,
    limits.guestOrdersPerClient,
    placement.createdAt,
  ];
}

function outcomeOf(row: PlacementRow | undefined): PlacementOutcome {
  if (!row) throw new Error("placing an order answered no row");
  if (row.refusal) return { refusal: row.refusal, heldOrders: row.heldOrders, heldUnits: row.heldUnits };
  if (!row.claimed) return { claimedElsewhere: true };
  const { refusal: _refusal, heldOrders: _orders, heldUnits: _units, claimed: _c, raised: _r, items, ...placed } = row;
  const orderRow = placed as OrderRecord;
  return { placed: orderRow, items: itemsOf(items, orderRow.currency) };
}

/**
 * Places the order in its transaction, after `claimOrderAndLockCart`: one statement checks and
 * writes everything (see the statement). Answers the order with its lines, or what refused it.
 * A guest's unpaid scopes must be locked (`lockUntilCommit`) before it runs.
 */
export async function placeOrderRows(tx: SqlExecutor, placement: OrderPlacement): Promise<PlacementOutcome> {
  const [row] = await sql<PlacementRow>(tx, placeOrderStatement.inTransaction, placementValues(placement));
  return outcomeOf(row);
}

/**
 * The whole checkout of a customer in one statement, atomic by itself, with no transaction
 * around it (see the statement): the cart locked as it was read (`cartVersion`), the checks, the
 * key's claim, the order's rows, the cart emptied, and the events (`events`, written to the
 * outbox only when the order is). `claimedElsewhere`: another request holds the key (nothing
 * written). A buyer whose scopes need locks (a guest), or an order holding discount uses, takes
 * the transaction instead.
 */
export async function placeOrderAtOnce(
  db: SqlExecutor,
  placement: OrderPlacement & {
    claim: { idempotencyKey: string; requestHash: string };
    cartVersion: string | null;
    events: readonly EventEnvelope[];
  },
): Promise<PlacementOutcome> {
  let rows: PlacementRow[];
  try {
    rows = await sql<PlacementRow>(db, placeOrderStatement.atOnce, [
      ...placementValues(placement),
      placement.cartVersion,
      placement.claim.idempotencyKey,
      placement.claim.requestHash,
      ...outboxRows(placement.events),
    ]);
  } catch (error) {
    const refused = refusalOf(error);
    if (refused) return refused;
    throw error;
  }
  return outcomeOf(rows[0]);
}
