import { anyOfParameter, opaqueParameter, sql, statement } from "../../common/database/sqlPool";
import { appliedRecordInsert, appliedRecordParameters, type AppliedRecord } from "../../common/events/appliedRecord";
import type { EventEnvelope } from "../../common/events/envelope";
import { outboxInsertOf, outboxRows } from "../../common/events/outbox";
import type { InventorySqlTx } from "./database";
import type { LockedLocationLevel } from "./stockStore";

/**
 * Reserving orders' stock in named SQL on the service's pool (see sqlPool.ts), for a batch of
 * orders at once, in two statements: the consumer's record of the batch's events with the
 * orders' advisory locks and what reservation must know (the variants' location rows and totals,
 * locked, and which orders are closed or reserved already), and every write with the events
 * that tell of it. The plan between them (which location gives what, all or none per order) is
 * made in memory from the locked rows (domain/reserveOrders.ts), so nothing is read again after
 * it is written. Rows are typed by hand.
 */

/**
 * Takes the advisory locks of the keys in parameter `$n` (text[]), in key order; answers
 * `locked`. `after`, a condition on what must be done first (a one-time filter), is evaluated
 * before the first lock is taken.
 */
const takeLocks = (n: number, after = "true") =>
  `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))::int AS locked
     FROM (SELECT k FROM unnest(${opaqueParameter(`$${n}`, "text[]")}) AS k ORDER BY k) AS keys
    WHERE ${after}`;

// The record first (the consumer's own statement did it before the locks), then the locks.
const lockOrdersStatement = statement(
  "inventory.lockOrders",
  `WITH fresh AS (
     ${appliedRecordInsert(2)}
   ), locks AS (${takeLocks(1, "(SELECT count(*) FROM fresh) >= 0")})
   SELECT (SELECT locked FROM locks) AS locked, (SELECT array_agg(event_id) FROM fresh) AS fresh`,
);

/** The advisory lock key of an order's reservation work: the same as `lockOrder` takes. */
export const orderLockKey = (orderId: string) => `inventory:order:${orderId}`;

/** The orders' lock keys, each once, in the order they are always taken in (so two batches sharing orders cannot deadlock). */
const lockKeys = (orderIds: readonly string[]) => [...new Set(orderIds.map(orderLockKey))].sort();

/**
 * Holds the reservation locks of these orders until the transaction ends, taken in key order
 * (so two batches sharing orders cannot deadlock), in one statement, after writing the
 * consumer's `record` of the events that asked for the work, if any: answers the ids (lower
 * case) it recorded, the others being duplicates. It must be a statement of its own: what is
 * read after it then sees what the lock's previous holder committed.
 */
export async function lockOrders(
  tx: InventorySqlTx,
  orderIds: readonly string[],
  record?: AppliedRecord,
): Promise<Set<string>> {
  const keys = lockKeys(orderIds);
  if (keys.length === 0 && !record?.ids.length) return new Set();
  const [row] = await sql<{ fresh: string[] | null }>(tx, lockOrdersStatement, [
    keys,
    ...appliedRecordParameters(record),
  ]);
  return new Set((row?.fresh ?? []).map((id) => id.toLowerCase()));
}

/** A variant's stock at one location, locked, with what reservation needs to know of the location. */
export type LevelRow = LockedLocationLevel;

/** A variant's totals, locked, with its catalog facts (null: not in the read model yet). */
export interface TotalsRow {
  variantId: string;
  productId: string;
  onHand: number;
  reserved: number;
  lowStockThreshold: number;
  version: number;
  lowStockAlerted: boolean;
  sku: string | null;
  productName: string | null;
  title: string | null;
  hasOptions: boolean | null;
}

export interface ReservationState {
  levels: LevelRow[];
  totals: TotalsRow[];
  /** Orders (lower case) cancelled before they were reserved. */
  closed: Set<string>;
  /** Orders (lower case) holding reservations already, in any status. */
  reserved: Set<string>;
  /** The ids (lower case) of the events the read recorded as applied (its `record`); the others are duplicates. */
  fresh: Set<string>;
}

interface ReservationStateRow {
  fresh: string[] | null;
  levels: LevelRow[] | null;
  totals: TotalsRow[] | null;
  closed: string[] | null;
  reserved: string[] | null;
}

// The consumer's record of the batch's events is written first (the order its own statement kept),
// then the orders' advisory locks are taken (in key order: `lockOrders`'s), then the location
// rows, in (variant, location) order, and only then the totals, in variant order (each one-time
// filter makes a step wait for the one before): the order every change of stock takes its locks
// in, so reservations, releases and deductions queue instead of deadlocking.
//
// Taken in the statement that reads, the orders' locks may have been waited for after its
// snapshot was taken: the rows locked FOR UPDATE are read as their latest committed versions all
// the same, but `closed` and `reserved` may miss what the locks' previous holder committed.
// `applyReservations` checks them again under the locks and writes nothing if they changed.
const reservationStateStatement = statement(
  "inventory.reservationState",
  `WITH fresh AS (
     ${appliedRecordInsert(4)}
   ), locks AS (${takeLocks(3, "(SELECT count(*) FROM fresh) >= 0")}), levels AS (
     SELECT l.variant_id, l.location_id, l.on_hand, l.reserved, s.active, s.priority
       FROM location_stock_levels l JOIN stock_locations s ON s.id = l.location_id
      WHERE l.variant_id = ${anyOfParameter("$2")} AND (SELECT locked FROM locks) >= 0
      ORDER BY l.variant_id, l.location_id
        FOR UPDATE OF l
   ), totals AS (
     SELECT t.variant_id, t.product_id, t.on_hand, t.reserved, t.low_stock_threshold, t.version, t.low_stock_alerted
       FROM stock_levels t
      WHERE t.variant_id = ${anyOfParameter("$2")} AND (SELECT count(*) FROM levels) >= 0
      ORDER BY t.variant_id
        FOR UPDATE
   )
   SELECT (SELECT locked FROM locks) AS locked, (SELECT array_agg(event_id) FROM fresh) AS fresh,
          (SELECT json_agg(json_build_object('variantId', variant_id, 'locationId', location_id, 'onHand', on_hand,
                                             'reserved', reserved, 'active', active, 'priority', priority)
                           ORDER BY variant_id, location_id) FROM levels) AS levels,
          (SELECT json_agg(json_build_object('variantId', t.variant_id, 'productId', t.product_id, 'onHand', t.on_hand,
                                             'reserved', t.reserved, 'lowStockThreshold', t.low_stock_threshold,
                                             'version', t.version, 'lowStockAlerted', t.low_stock_alerted, 'sku', c.sku,
                                             'productName', c.product_name, 'title', c.title, 'hasOptions', c.has_options))
             FROM totals t LEFT JOIN catalog_variants c ON c.variant_id = t.variant_id) AS totals,
          (SELECT array_agg(order_id::text) FROM order_closures WHERE order_id = ${anyOfParameter("$1")}) AS closed,
          (SELECT array_agg(DISTINCT order_id::text) FROM reservations WHERE order_id = ${anyOfParameter("$1")}) AS reserved`,
);

/**
 * What reserving these orders needs, in one statement: the consumer's `record` of the events
 * that asked for it, if any (`fresh`: the ids it recorded), the orders' reservation locks, every
 * location row and the totals of these variants, locked until the transaction ends, and which
 * of the orders are closed or reserved already. Those two answers may predate what the locks'
 * previous holder committed (see the statement); `applyReservations` checks them again.
 */
export async function readReservationState(
  tx: InventorySqlTx,
  orderIds: readonly string[],
  variantIds: readonly string[],
  record?: AppliedRecord,
): Promise<ReservationState> {
  const [row] = await sql<ReservationStateRow>(tx, reservationStateStatement, [
    [...new Set(orderIds)],
    [...new Set(variantIds)].sort(),
    lockKeys(orderIds),
    ...appliedRecordParameters(record),
  ]);
  return {
    fresh: new Set((row?.fresh ?? []).map((id) => id.toLowerCase())),
    levels: row?.levels ?? [],
    totals: row?.totals ?? [],
    closed: new Set((row?.closed ?? []).map((id) => id.toLowerCase())),
    reserved: new Set((row?.reserved ?? []).map((id) => id.toLowerCase())),
  };
}

/** One reservation made: a ledger entry of kind RESERVATION and a reservation row. */
export interface ReservationMade {
  orderId: string;
  variantId: string;
  productId: string;
  locationId: string;
  quantity: number;
  /** The location's units after this reservation (the ledger entry's "after"). */
  onHandAfter: number;
  reservedAfter: number;
  reason: string;
}

/** What a batch of reservations changes, row by row, as planned from the locked rows. */
export interface ReservationWrites {
  /** Each location row's change, summed over the batch. */
  locations: ReadonlyArray<{ variantId: string; locationId: string; reservedDelta: number }>;
  /** Each variant's totals: reserved by how much, how many changes (its version rises by that), low-stock flag after. */
  totals: ReadonlyArray<{ variantId: string; reservedDelta: number; changes: number; lowStockAlerted: boolean }>;
  made: readonly ReservationMade[];
}

// Conditional updates (0 <= reserved <= on hand after them), so that a plan made from rows that
// were not in fact locked writes less than it meant to; the caller compares the counts. Nothing
// is written, the events neither, if an order it reserves is closed or holds reservations
// already (`stale`: read in this statement's snapshot, which is taken under the orders' locks,
// so it is current).
const applyReservationsStatement = statement(
  "inventory.applyReservations",
  `WITH made AS (
     SELECT * FROM unnest($8::uuid[], $9::uuid[], $10::uuid[], $11::uuid[], $12::int[], $13::int[], $14::int[], $15::text[])
         WITH ORDINALITY AS m(order_id, variant_id, product_id, location_id, quantity, on_hand_after, reserved_after, reason, n)
   ), stale AS (
     SELECT EXISTS (SELECT 1 FROM order_closures WHERE order_id IN (SELECT order_id FROM made))
         OR EXISTS (SELECT 1 FROM reservations WHERE order_id IN (SELECT order_id FROM made)) AS stale
   ), located AS (
     UPDATE location_stock_levels l SET reserved = l.reserved + c.delta, updated_at = now()
       FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS c(variant_id, location_id, delta)
      WHERE l.variant_id = c.variant_id AND l.location_id = c.location_id
        AND l.reserved + c.delta >= 0 AND l.reserved + c.delta <= l.on_hand AND NOT (SELECT stale FROM stale)
     RETURNING 1
   ), totals AS (
     UPDATE stock_levels s
        SET reserved = s.reserved + t.delta, version = s.version + t.changes, low_stock_alerted = t.alerted,
            updated_at = now()
       FROM unnest($4::uuid[], $5::int[], $6::int[], $7::boolean[]) AS t(variant_id, delta, changes, alerted)
      WHERE s.variant_id = t.variant_id AND s.reserved + t.delta >= 0 AND s.reserved + t.delta <= s.on_hand
        AND NOT (SELECT stale FROM stale)
     RETURNING 1
   ), moved AS (
     INSERT INTO stock_movements (product_id, variant_id, location_id, kind, on_hand_delta, reserved_delta, on_hand_after,
                                  reserved_after, reason, order_id)
     SELECT product_id, variant_id, location_id, 'RESERVATION', 0, quantity, on_hand_after, reserved_after, reason, order_id
       FROM made WHERE NOT (SELECT stale FROM stale) ORDER BY n
     RETURNING 1
   ), held AS (
     INSERT INTO reservations (order_id, variant_id, location_id, product_id, quantity, updated_at)
     SELECT order_id, variant_id, location_id, product_id, quantity, now() FROM made WHERE NOT (SELECT stale FROM stale)
      ORDER BY n
     RETURNING 1
   ), outbox AS (
     ${outboxInsertOf(16, "NOT (SELECT stale FROM stale)")}
   )
   SELECT (SELECT stale FROM stale) AS stale, (SELECT count(*) FROM located)::int AS locations,
          (SELECT count(*) FROM totals)::int AS totals, (SELECT count(*) FROM moved)::int AS movements,
          (SELECT count(*) FROM held)::int AS reservations`,
);

/**
 * Writes a batch of reservations in one statement: the location rows, the totals (with their
 * versions and low-stock flags), a ledger entry and a reservation row per reservation made, and
 * the events that tell of them (`events`, to the outbox: the unit of work's own insert is then
 * not needed). Answers "stale", writing nothing, when an order it reserves turns out closed or
 * reserved already (committed by the previous holder of its lock after the state was read): the
 * caller forgets those events, reads the state again and plans anew. Throws when a row did not
 * take its change (it was not locked as planned): the caller's transaction then rolls back, and
 * nothing of the batch is written. A batch that reserves nothing sends no statement.
 */
export async function applyReservations(
  tx: InventorySqlTx,
  writes: ReservationWrites,
  events: readonly EventEnvelope[],
): Promise<"applied" | "stale"> {
  if (writes.made.length === 0) {
    if (events.length > 0) throw new Error("a batch that reserves nothing has no events of its own to write");
    return "applied";
  }
  const { locations, totals, made } = writes;
  const [row] = await sql<{
    stale: boolean;
    locations: number;
    totals: number;
    movements: number;
    reservations: number;
  }>(tx, applyReservationsStatement, [
    locations.map((each) => each.variantId),
    locations.map((each) => each.locationId),
    locations.map((each) => each.reservedDelta),
    totals.map((each) => each.variantId),
    totals.map((each) => each.reservedDelta),
    totals.map((each) => each.changes),
    // As text: a parameter is a string or number array.
    totals.map((each) => String(each.lowStockAlerted)),
    made.map((each) => each.orderId),
    made.map((each) => each.variantId),
    made.map((each) => each.productId),
    made.map((each) => each.locationId),
    made.map((each) => each.quantity),
    made.map((each) => each.onHandAfter),
    made.map((each) => each.reservedAfter),
    made.map((each) => each.reason),
    ...outboxRows(events),
  ]);
  if (row?.stale) return "stale";
  if (row?.locations !== locations.length || row.totals !== totals.length || row.movements !== made.length)
    throw new Error("stock changed under the reservation locks");
  return "applied";
}
