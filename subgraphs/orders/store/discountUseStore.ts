import type { SqlExecutor } from "../../common/database/prismaOptions";
import { sql, statement } from "../../common/database/sqlPool";
import type { OrdersTx } from "./database";

const holdUse = statement(
  "orders.discount.holdUse",
  `UPDATE discounts SET held = held + 1, updated_at = now()
    WHERE id = $1::uuid AND active AND (usage_limit IS NULL OR used + held < usage_limit)
   RETURNING id::text AS id`,
);

/**
 * Holds one use of a discount for an order being placed: one conditional UPDATE, so concurrent
 * checkouts queue on the discount's row and never hold more than its limit between them. False
 * when the limit is reached.
 */
export async function holdDiscountUse(tx: SqlExecutor, discountId: string): Promise<boolean> {
  const held = await sql<{ id: string }>(tx, holdUse, [discountId]);
  return held.length === 1;
}

const holdBuyerUse = statement(
  "orders.discount.holdBuyerUse",
  `INSERT INTO discount_customer_uses (discount_id, buyer_key, uses) VALUES ($1::uuid, $2, 1)
   ON CONFLICT (discount_id, buyer_key) DO UPDATE SET uses = discount_customer_uses.uses + 1
    WHERE (SELECT per_customer_limit FROM discounts WHERE id = $1::uuid) IS NULL
       OR discount_customer_uses.uses < (SELECT per_customer_limit FROM discounts WHERE id = $1::uuid)
   RETURNING discount_id::text AS id`,
);

/**
 * Holds one of the buyer's uses of a discount (a customer's, or a guest's by email: see
 * `discountBuyerKey`) within the discount's per-customer limit (read by the statement itself);
 * false when they reached it.
 */
export async function holdCustomerUse(tx: SqlExecutor, discountId: string, buyerKey: string): Promise<boolean> {
  const held = await sql<{ id: string }>(tx, holdBuyerUse, [discountId, buyerKey]);
  return held.length === 1;
}

const confirmUses = statement(
  "orders.discount.confirmUses",
  `WITH confirmed AS (
     UPDATE order_discounts SET use_status = 'USED' WHERE order_id = ANY($1::uuid[]) AND use_status = 'HELD'
     RETURNING discount_id
   )
   UPDATE discounts d SET held = d.held - c.n, used = d.used + c.n, updated_at = now()
     FROM (SELECT discount_id, count(*)::int AS n FROM confirmed GROUP BY discount_id) c
    WHERE d.id = c.discount_id`,
);

/**
 * The orders are confirmed: their held uses are counted, in one statement. In the transaction of
 * the orders' status changes.
 */
export async function confirmDiscountUses(tx: SqlExecutor, orderIds: readonly string[]): Promise<void> {
  await sql(tx, confirmUses, [orderIds]);
}

const releaseUses = statement(
  "orders.discount.releaseUses",
  `WITH buyer AS (
     SELECT * FROM unnest($1::uuid[], $2::text[]) AS b(order_id, buyer_key)
   ), released AS (
     UPDATE order_discounts o SET use_status = 'RELEASED'
       FROM order_discounts before, buyer b
      WHERE o.id = before.id AND o.order_id = b.order_id AND o.use_status <> 'RELEASED'
        AND ($3::uuid[] IS NULL OR o.discount_id = ANY($3::uuid[]))
     RETURNING o.discount_id, before.use_status AS was, b.buyer_key
   ), discounts_back AS (
     UPDATE discounts d
        SET held = d.held - r.held_n, used = d.used - r.used_n, updated_at = now()
       FROM (SELECT discount_id, count(*) FILTER (WHERE was = 'HELD')::int AS held_n,
                    count(*) FILTER (WHERE was = 'USED')::int AS used_n
               FROM released GROUP BY discount_id) r
      WHERE d.id = r.discount_id
   )
   UPDATE discount_customer_uses u SET uses = greatest(u.uses - r.n, 0)
     FROM (SELECT discount_id, buyer_key, count(*)::int AS n FROM released GROUP BY discount_id, buyer_key) r
    WHERE u.discount_id = r.discount_id AND u.buyer_key = r.buyer_key`,
);

/**
 * The orders are cancelled (or timed out): all their uses, held or counted, are given back, to
 * the discounts and to each order's buyer (the key they were held under), in one statement. In
 * the transaction of the orders' status changes.
 */
export async function releaseOrdersDiscountUses(
  tx: SqlExecutor,
  orders: ReadonlyArray<{ orderId: string; buyerKey: string }>,
): Promise<void> {
  await sql(tx, releaseUses, [orders.map((order) => order.orderId), orders.map((order) => order.buyerKey), null]);
}

/**
 * An edit dropped discounts of the order: their uses, held or counted, are given back, to the
 * discount and to the buyer (the key they were held under). With `onlyDiscountIds` null, all of
 * the order's uses. The batch release's statement, for one order.
 */
export async function releaseDiscountUses(
  tx: OrdersTx,
  orderId: string,
  buyerKey: string,
  onlyDiscountIds: readonly string[] | null = null,
): Promise<void> {
  await sql(tx, releaseUses, [[orderId], [buyerKey], onlyDiscountIds ? [...onlyDiscountIds] : null]);
}
