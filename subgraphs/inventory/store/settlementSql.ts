import { sql, statement } from "../../common/database/sqlPool";
import type { EventEnvelope } from "../../common/events/envelope";
import { outboxInsertOf, outboxRows } from "../../common/events/outbox";
import type { InventorySqlTx } from "./database";
import type { TotalsRow } from "./reservationSql";

/**
 * Releasing or deducting orders' reservations in named SQL, for a batch of orders: after their
 * locks (`lockOrders`), what they hold (their reservations, the location rows and totals they
 * hold units at, locked) in one statement, and every write with the events that tell of it in
 * another. Rows are typed by hand.
 */

/** One reservation of an order, as stored. */
export interface ReservationRow {
  orderId: string;
  variantId: string;
  locationId: string;
  productId: string;
  quantity: number;
  shipped: number;
  status: "RESERVED" | "RELEASED" | "DEDUCTED";
}

/** A location row, locked. */
export interface HeldLevelRow {
  variantId: string;
  locationId: string;
  onHand: number;
  reserved: number;
}

export interface SettlementState {
  reservations: ReservationRow[];
  levels: HeldLevelRow[];
  totals: TotalsRow[];
}

// Location rows first, in (variant, location) order, then totals in variant order (the one-time
// filter on `levels` makes the second wait for the first): the order every change of stock takes.
const settlementStateStatement = statement(
  "inventory.settlementState",
  `WITH own AS (
     SELECT order_id, variant_id, location_id, product_id, quantity, shipped, status::text AS status
       FROM reservations WHERE order_id = ANY($1::uuid[])
   ), levels AS (
     SELECT l.variant_id, l.location_id, l.on_hand, l.reserved
       FROM location_stock_levels l
      WHERE (l.variant_id, l.location_id) IN
            (SELECT variant_id, location_id FROM own WHERE status = 'RESERVED' AND quantity > shipped)
      ORDER BY l.variant_id, l.location_id
        FOR UPDATE
   ), totals AS (
     SELECT t.variant_id, t.product_id, t.on_hand, t.reserved, t.low_stock_threshold, t.version, t.low_stock_alerted
       FROM stock_levels t
      WHERE t.variant_id IN (SELECT variant_id FROM own WHERE status = 'RESERVED' AND quantity > shipped)
        AND (SELECT count(*) FROM levels) >= 0
      ORDER BY t.variant_id
        FOR UPDATE
   )
   SELECT (SELECT json_agg(json_build_object('orderId', order_id, 'variantId', variant_id, 'locationId', location_id,
                                             'productId', product_id, 'quantity', quantity, 'shipped', shipped,
                                             'status', status) ORDER BY order_id, variant_id, location_id)
             FROM own) AS reservations,
          (SELECT json_agg(json_build_object('variantId', variant_id, 'locationId', location_id, 'onHand', on_hand,
                                             'reserved', reserved)) FROM levels) AS levels,
          (SELECT json_agg(json_build_object('variantId', t.variant_id, 'productId', t.product_id, 'onHand', t.on_hand,
                                             'reserved', t.reserved, 'lowStockThreshold', t.low_stock_threshold,
                                             'version', t.version, 'lowStockAlerted', t.low_stock_alerted, 'sku', c.sku,
                                             'productName', c.product_name, 'title', c.title, 'hasOptions', c.has_options))
             FROM totals t LEFT JOIN catalog_variants c ON c.variant_id = t.variant_id) AS totals`,
);

/**
 * What settling these orders needs, in one statement: their reservations, and the location
 * rows and totals their held units are at, locked until the transaction ends. Call it after
 * `lockOrders`, so that the reservations read are current.
 */
export async function readSettlementState(tx: InventorySqlTx, orderIds: readonly string[]): Promise<SettlementState> {
  const [row] = await sql<{
    reservations: ReservationRow[] | null;
    levels: HeldLevelRow[] | null;
    totals: TotalsRow[] | null;
  }>(tx, settlementStateStatement, [[...new Set(orderIds)]]);
  return { reservations: row?.reservations ?? [], levels: row?.levels ?? [], totals: row?.totals ?? [] };
}

/** A ledger entry of a settlement. */
export interface SettlementMovement {
  orderId: string;
  variantId: string;
  productId: string;
  locationId: string;
  kind: "RELEASE" | "DEDUCTION";
  onHandDelta: number;
  reservedDelta: number;
  onHandAfter: number;
  reservedAfter: number;
  reason: string;
}

export interface SettlementWrites {
  locations: ReadonlyArray<{ variantId: string; locationId: string; onHandDelta: number; reservedDelta: number }>;
  totals: ReadonlyArray<{
    variantId: string;
    onHandDelta: number;
    reservedDelta: number;
    changes: number;
    lowStockAlerted: boolean;
  }>;
  movements: readonly SettlementMovement[];
  /** Orders whose reservations still RESERVED take this status. */
  settled: ReadonlyArray<{ orderId: string; status: "RELEASED" | "DEDUCTED" }>;
  /** Orders closed before they were reserved (a late "placed" reserves nothing). */
  closed: readonly string[];
}

// Conditional updates (0 <= reserved <= on hand after them): a plan made from rows that were
// not in fact locked writes less than it meant to, and the caller compares the counts.
const applySettlementsStatement = statement(
  "inventory.applySettlements",
  `WITH located AS (
     UPDATE location_stock_levels l
        SET on_hand = l.on_hand + c.on_hand_delta, reserved = l.reserved + c.reserved_delta, updated_at = now()
       FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[]) AS c(variant_id, location_id, on_hand_delta, reserved_delta)
      WHERE l.variant_id = c.variant_id AND l.location_id = c.location_id
        AND l.on_hand + c.on_hand_delta >= 0 AND l.reserved + c.reserved_delta >= 0
        AND l.reserved + c.reserved_delta <= l.on_hand + c.on_hand_delta
     RETURNING 1
   ), totals AS (
     UPDATE stock_levels s
        SET on_hand = s.on_hand + t.on_hand_delta, reserved = s.reserved + t.reserved_delta,
            version = s.version + t.changes, low_stock_alerted = t.alerted, updated_at = now()
       FROM unnest($5::uuid[], $6::int[], $7::int[], $8::int[], $9::boolean[])
            AS t(variant_id, on_hand_delta, reserved_delta, changes, alerted)
      WHERE s.variant_id = t.variant_id AND s.on_hand + t.on_hand_delta >= 0 AND s.reserved + t.reserved_delta >= 0
        AND s.reserved + t.reserved_delta <= s.on_hand + t.on_hand_delta
     RETURNING 1
   ), moved AS (
     INSERT INTO stock_movements (product_id, variant_id, location_id, kind, on_hand_delta, reserved_delta, on_hand_after,
                                  reserved_after, reason, order_id)
     SELECT product_id, variant_id, location_id, kind::"StockMovementKind", on_hand_delta, reserved_delta, on_hand_after,
            reserved_after, reason, order_id
       FROM unnest($10::uuid[], $11::uuid[], $12::uuid[], $13::uuid[], $14::text[], $15::int[], $16::int[], $17::int[],
                   $18::int[], $19::text[])
            WITH ORDINALITY AS m(order_id, variant_id, product_id, location_id, kind, on_hand_delta, reserved_delta,
                                 on_hand_after, reserved_after, reason, n)
      ORDER BY n
     RETURNING 1
   ), settled AS (
     UPDATE reservations r SET status = x.status::"ReservationStatus", updated_at = now()
       FROM unnest($20::uuid[], $21::text[]) AS x(order_id, status)
      WHERE r.order_id = x.order_id AND r.status = 'RESERVED'
     RETURNING 1
   ), closed AS (
     INSERT INTO order_closures (order_id) SELECT unnest($22::uuid[]) ON CONFLICT DO NOTHING
     RETURNING 1
   ), outbox AS (
     ${outboxInsertOf(23)}
   )
   SELECT (SELECT count(*) FROM located)::int AS locations, (SELECT count(*) FROM totals)::int AS totals,
          (SELECT count(*) FROM moved)::int AS movements, (SELECT count(*) FROM settled)::int AS settled,
          (SELECT count(*) FROM closed)::int AS closed`,
);

/** Whether a batch of settlements writes anything (else `applySettlements` sends no statement). */
export function writesAnything(writes: Pick<SettlementWrites, "movements" | "settled" | "closed">): boolean {
  return writes.movements.length > 0 || writes.settled.length > 0 || writes.closed.length > 0;
}

/**
 * Writes a batch of settlements in one statement: location rows, totals (versions, low-stock
 * flags), ledger entries, the reservations' new status and the closures, and the events that
 * tell of them (`events`, to the outbox: the unit of work's own insert is then not needed).
 * Throws when a stock row did not take its change: the caller's transaction then rolls back.
 */
export async function applySettlements(
  tx: InventorySqlTx,
  writes: SettlementWrites,
  events: readonly EventEnvelope[],
): Promise<void> {
  const { locations, totals, movements, settled, closed } = writes;
  if (!writesAnything(writes)) {
    if (events.length > 0) throw new Error("a batch that settles nothing has no events of its own to write");
    return;
  }
  const [row] = await sql<{ locations: number; totals: number; movements: number }>(tx, applySettlementsStatement, [
    locations.map((each) => each.variantId),
    locations.map((each) => each.locationId),
    locations.map((each) => each.onHandDelta),
    locations.map((each) => each.reservedDelta),
    totals.map((each) => each.variantId),
    totals.map((each) => each.onHandDelta),
    totals.map((each) => each.reservedDelta),
    totals.map((each) => each.changes),
    // As text: a parameter is a string or number array.
    totals.map((each) => String(each.lowStockAlerted)),
    movements.map((each) => each.orderId),
    movements.map((each) => each.variantId),
    movements.map((each) => each.productId),
    movements.map((each) => each.locationId),
    movements.map((each) => each.kind),
    movements.map((each) => each.onHandDelta),
    movements.map((each) => each.reservedDelta),
    movements.map((each) => each.onHandAfter),
    movements.map((each) => each.reservedAfter),
    movements.map((each) => each.reason),
    settled.map((each) => each.orderId),
    settled.map((each) => each.status),
    [...closed],
    ...outboxRows(events),
  ]);
  if (row?.locations !== locations.length || row.totals !== totals.length || row.movements !== movements.length)
    throw new Error("stock holds less than the orders reserved");
}
