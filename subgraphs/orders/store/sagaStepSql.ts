import type { SqlExecutor } from "../../common/database/prismaOptions";
import { sql, statement } from "../../common/database/sqlPool";
import type { EventEnvelope } from "../../common/events/envelope";
import type { AppliedRecord } from "../../common/events/appliedRecord";
import { outboxInsertOf, outboxRows } from "../../common/events/outbox";
import type { CancellationReason, OrderStatus } from "../domain/orderStateMachine";
import { itemJson, itemsOf, type ItemJson } from "./checkoutSql";
import { orderColumnsOf } from "./orderStore";
import type { OrderItemRecord, OrderRecord } from "./records";

/**
 * Saga steps in set-based SQL on the service's pool: the orders a step (or a batch of steps)
 * moves, locked with what their events need in one statement, and a batch's moves with their
 * lines of history and their events in one more. Any transaction runs them: Prisma's or one of our own.
 */

/** An order locked for a saga step, with its lines and what it kept of its pricing. */
export interface LockedOrder {
  order: OrderRecord;
  items: OrderItemRecord[];
  /** Each discount's `lines` allocation, by position. */
  discountLines: unknown[];
  /** Tax lines, in the order they were written. */
  taxLines: Array<{ position: number | null; amountMinor: bigint }>;
}

/** The order's columns and, as JSON, its lines, discount allocations and tax lines. */
const lockedColumns = `${orderColumnsOf("o")},
  (SELECT json_agg(${itemJson("i")} ORDER BY i.position) FROM order_items i WHERE i.order_id = o.id) AS items,
  (SELECT json_agg(d.lines ORDER BY d.position) FROM order_discounts d WHERE d.order_id = o.id) AS "discountLines",
  (SELECT json_agg(json_build_object('position', t.position, 'amountMinor', t.amount_minor::text) ORDER BY t.id)
     FROM order_tax_lines t WHERE t.order_id = o.id) AS "taxLines"`;

const lockForStep = statement(
  "orders.saga.lock",
  `SELECT ${lockedColumns} FROM orders o WHERE o.id = $1::uuid FOR UPDATE OF o`,
);

/** Sorted by id, so two transactions locking some of the same orders take their locks in one order. */
const lockForSteps = statement(
  "orders.saga.lockMany",
  `SELECT ${lockedColumns} FROM orders o WHERE o.id = ANY($1::uuid[]) ORDER BY o.id FOR UPDATE OF o`,
);

type LockedRow = OrderRecord & {
  items: ItemJson[] | null;
  discountLines: unknown[] | null;
  taxLines: Array<{ position: number | null; amountMinor: string }> | null;
};

function lockedOf(row: LockedRow): LockedOrder {
  const { items, discountLines, taxLines, ...order } = row;
  return {
    order,
    items: itemsOf(items, order.currency),
    discountLines: discountLines ?? [],
    taxLines: (taxLines ?? []).map((line) => ({ position: line.position, amountMinor: BigInt(line.amountMinor) })),
  };
}

/**
 * The order, locked until the transaction ends, with its lines, discount allocations and tax
 * lines (written when it was placed and never changed, so reading them in the statement that
 * waited for the lock is safe). Null when there is no such order.
 */
export async function lockOrderForStep(tx: SqlExecutor, id: string): Promise<LockedOrder | null> {
  const [row] = await sql<LockedRow>(tx, lockForStep, [id]);
  return row ? lockedOf(row) : null;
}

/** The orders, each as `lockOrderForStep` answers it, in one statement: by id (those that exist). */
export async function lockOrdersForSteps(tx: SqlExecutor, ids: readonly string[]): Promise<Map<string, LockedOrder>> {
  const rows = await sql<LockedRow>(tx, lockForSteps, [[...new Set(ids)]]);
  return new Map(rows.map((row) => [row.id, lockedOf(row)]));
}

/**
 * The consumed events recorded as applied (`fresh`: the ids not recorded before) and, after
 * that, the orders of the fresh events' steps locked as `lockForSteps` locks them, in one
 * statement. The orders to lock are one array built from the insert's whole answer before the
 * scan starts (an init plan: a join or semi-join could leave inserts for the statement's end),
 * so every id is recorded before any order is locked, then the orders by id, as the two
 * statements did: concurrent batches take their locks in one order. The locked rows come from
 * the locking scan itself, which answers each row as it is once locked (not the statement's
 * older snapshot). One row even when nothing is locked (its order columns null), so the fresh
 * ids always come back.
 */
const recordAndLockForSteps = statement(
  "orders.saga.recordAndLock",
  `WITH fresh AS (
     INSERT INTO processed_event (consumer, event_id)
     SELECT $1::text, id FROM unnest($2::uuid[]) AS id
     ON CONFLICT DO NOTHING RETURNING event_id
   ), locked AS (
     SELECT ${lockedColumns} FROM orders o
      WHERE o.id = ANY ((SELECT array_agg(s.order_id) FROM unnest($3::uuid[], $4::uuid[]) AS s(event_id, order_id)
                           JOIN fresh f ON f.event_id = s.event_id)::uuid[])
      ORDER BY o.id FOR UPDATE OF o
   )
   SELECT (SELECT array_agg(event_id::text) FROM fresh) AS "freshIds", l.*
     FROM (VALUES (1)) AS one (n) LEFT JOIN locked l ON true`,
);

/**
 * Records a consumer's events as applied (`ids`, lower case) and locks the orders of the steps
 * whose event was recorded now (`steps`: each event's order), each as `lockOrdersForSteps`
 * answers it, in one statement. `fresh`: the ids recorded now (the others are duplicates).
 */
export async function recordAndLockOrdersForSteps(
  tx: SqlExecutor,
  record: AppliedRecord,
  steps: ReadonlyArray<{ eventId: string; orderId: string }>,
): Promise<{ fresh: Set<string>; locked: Map<string, LockedOrder> }> {
  const rows = await sql<Partial<LockedRow> & { freshIds: string[] | null }>(tx, recordAndLockForSteps, [
    record.consumer,
    [...record.ids],
    steps.map((step) => step.eventId),
    steps.map((step) => step.orderId),
  ]);
  const locked = new Map<string, LockedOrder>();
  for (const { freshIds: _fresh, ...row } of rows) if (row.id) locked.set(row.id, lockedOf(row as LockedRow));
  return { fresh: new Set(rows[0]?.freshIds ?? []), locked };
}

/** A (locked) order's move to a new status, with the reason its history line gives. */
export interface OrderMove {
  id: string;
  status: OrderStatus;
  cancellationReason: CancellationReason | null;
  reason: string;
}

/**
 * Every move of a batch, its line of history and the events that tell of them, in one
 * statement: each order moved at `$5` (the time its events tell), once in it.
 */
const moveOrders = statement(
  "orders.saga.moveMany",
  `WITH step AS (
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS s(id, status, cancellation_reason, reason)
   ), moved AS (
     UPDATE orders o SET status = s.status::"OrderStatus",
            cancellation_reason = coalesce(nullif(s.cancellation_reason, '')::"CancellationReason", o.cancellation_reason),
            updated_at = $5::timestamptz
       FROM step s
      WHERE o.id = s.id
      RETURNING o.id, o.status, s.reason
   ), history AS (
     INSERT INTO order_status_changes (order_id, status, reason, at)
     SELECT id, status, reason, $5::timestamptz FROM moved
   ), outbox AS (
     ${outboxInsertOf(6, "EXISTS (SELECT 1 FROM moved)")}
   )
   SELECT id::text AS id FROM moved`,
);

/**
 * The (locked) orders as their moves leave them, for the events told before the statement that
 * moves them (`recordMoves`): status, cancellation reason, `updatedAt`.
 */
export function movedOrders(
  locked: ReadonlyMap<string, LockedOrder>,
  moves: readonly OrderMove[],
  at: Date,
): Map<string, OrderRecord> {
  return new Map(
    moves.map((move) => {
      const { order } = locked.get(move.id)!;
      const cancellationReason = move.cancellationReason ?? order.cancellationReason;
      return [move.id, { ...order, status: move.status, cancellationReason, updatedAt: at }];
    }),
  );
}

/**
 * Moves the (locked) orders at `at`, writes their lines of history and the events (`events`,
 * told of `movedOrders`), in one statement.
 */
export async function recordMoves(
  tx: SqlExecutor,
  moves: readonly OrderMove[],
  at: Date,
  events: readonly EventEnvelope[],
): Promise<void> {
  if (moves.length === 0) return;
  const rows = await sql<{ id: string }>(tx, moveOrders, [
    moves.map((move) => move.id),
    moves.map((move) => move.status),
    // No reason ("") keeps the order's.
    moves.map((move) => move.cancellationReason ?? ""),
    moves.map((move) => move.reason),
    at,
    ...outboxRows(events),
  ]);
  const moved = new Set(rows.map((row) => row.id));
  for (const move of moves) if (!moved.has(move.id)) throw new Error(`order ${move.id} vanished while locked`);
}
