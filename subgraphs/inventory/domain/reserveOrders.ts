import type { AppliedRecord } from "../../common/events/appliedRecord";
import type { EventData, EventType } from "../../common/events/catalog";
import { emittedMark, rewindEmitted, takeEmitted, type Emit } from "../../common/events/unitOfWork";
import type { InventorySqlTx } from "../store/database";
import {
  applyReservations,
  readReservationState,
  type LevelRow,
  type ReservationMade,
  type ReservationState,
  type ReservationWrites,
} from "../store/reservationSql";
import { allocate } from "./allocation";
import { latestStockPerVariant } from "./latestStock";
import { announceTotals, type PlannedTotals } from "./plannedTotals";

export interface OrderLine {
  productId: string;
  variantId: string;
  quantity: number;
}

export type ReservationOutcome =
  | { kind: "reserved" }
  | { kind: "already-reserved" }
  /** The order was cancelled before it could be reserved: nothing to hold. */
  | { kind: "closed" }
  /** Not enough of one variant: nothing of the order is reserved. */
  | { kind: "insufficient"; productId: string; variantId: string; requested: number; available: number }
  /** The event that asked for it was applied before (`ReserveOptions.record`): nothing is done. */
  | { kind: "duplicate" };

/** One line per variant, quantities summed, in variant id order (rows are always locked in the same order, so concurrent reservations cannot deadlock). */
export function normaliseLines(lines: readonly OrderLine[]): OrderLine[] {
  const totals = new Map<string, OrderLine>();
  for (const line of lines) {
    const seen = totals.get(line.variantId);
    totals.set(line.variantId, { ...line, quantity: (seen?.quantity ?? 0) + line.quantity });
  }
  return [...totals.values()].sort((a, b) => a.variantId.localeCompare(b.variantId));
}

export interface OrderToReserve {
  orderId: string;
  lines: readonly OrderLine[];
  /** The event that asks for it, when the batch records its events as applied (`ReserveOptions.record`). */
  eventId?: string;
}

export interface ReserveOptions {
  /**
   * The consumer's record of the events that ask for the batch, written by the batch's first
   * statement (a round trip of the consumer's own fewer): an order whose `eventId` it finds
   * recorded before is answered `duplicate`, and not reserved.
   */
  record?: AppliedRecord;
  /** Each variant's stock announced once for the batch, as it left it (`latestStockPerVariant`), not once per order. */
  latestStockOnly?: boolean;
  /**
   * What the batch tells of its outcomes once they are planned: emitted before the write, which
   * writes them to the outbox with the rest (so the unit of work sends no insert of its own).
   */
  tell?: (outcomes: readonly ReservationOutcome[], emit: Emit) => void;
}

const levelKey = (variantId: string, locationId: string) => `${variantId.toLowerCase()}|${locationId.toLowerCase()}`;

/**
 * Reserves every line of each order, or none of it, for a batch of orders in two statements
 * whatever the batch holds: the consumer's record of its events (`options.record`) with the
 * orders' locks, the variants' location rows and totals, locked (location rows first, in
 * (variant, location) order, then the totals in variant order: the order every change of stock
 * takes), and which orders are closed or reserved already; and every write with the events that
 * tell of it (those emitted before, `options.tell`'s too, when it writes anything; else the unit
 * of work writes them). Orders are planned one after another, in the order given, from the locked rows:
 * each line is given its locations (priority, then most available; a line may be split), and
 * an order that cannot have every line leaves the stock as it found it for the next. Each
 * reservation records its location, so shipping deducts and cancelling releases there.
 * Reserving an order twice, or one already cancelled, changes nothing. For each variant an
 * order changed: `inventory.stock.changed`, and `inventory.stock.low` when its availability has
 * just crossed the threshold. Answers each order's outcome, in the order given.
 */
export async function reserveOrders(
  tx: InventorySqlTx,
  emit: Emit,
  orders: readonly OrderToReserve[],
  options: ReserveOptions = {},
): Promise<ReservationOutcome[]> {
  if (orders.length === 0) return [];
  const orderIds = orders.map((order) => order.orderId);
  const variantIds = orders.flatMap((order) => order.lines.map((line) => line.variantId));
  const first = await readReservationState(tx, orderIds, variantIds, options.record);
  // Decided by the first read, which wrote the record: a read again records nothing.
  const duplicate = (order: OrderToReserve) =>
    options.record !== undefined && order.eventId !== undefined && !first.fresh.has(order.eventId.toLowerCase());
  const read = async () => planBatch(orders, await readReservationState(tx, orderIds, variantIds), duplicate);
  let plan = planBatch(orders, first, duplicate);
  if (plan.outcomes.some((outcome) => outcome.kind === "insufficient")) {
    // A location row inserted (a transfer's first units somewhere) and committed while the read
    // waited for its locks is not in that statement's snapshot: before refusing an order, read
    // once more (what is locked stays locked; the new row is locked now).
    plan = await read();
  }
  const before = emittedMark(emit);
  const write = () => {
    announce(plan, emit, options);
    // A batch that reserves nothing sends no write: the unit of work writes what it told.
    return applyReservations(tx, plan.writes, plan.writes.made.length > 0 ? takeEmitted(emit) : []);
  };
  if ((await write()) === "stale") {
    // An order was closed or reserved by the previous holder of its lock, committed after the
    // read's snapshot: nothing was written, its events neither (they are forgotten). Read again,
    // now under the locks (so current), and plan anew.
    rewindEmitted(emit, before);
    plan = await read();
    if ((await write()) === "stale") throw new Error("the orders' reservation state changed under their locks");
  }
  return plan.outcomes;
}

/** Emits what a plan tells: its stock changes (each variant's once, if so asked), then its outcomes. */
function announce(
  plan: { outcomes: ReservationOutcome[]; events: PlannedEvent[] },
  emit: Emit,
  options: ReserveOptions,
) {
  const stock = options.latestStockOnly ? latestStockPerVariant(emit) : { emit, flush: () => undefined };
  for (const { type, data } of plan.events) stock.emit(type, data);
  stock.flush();
  options.tell?.(plan.outcomes, emit);
}

/** An event a plan emits once it is the plan kept. */
interface PlannedEvent {
  type: EventType;
  data: EventData<EventType>;
}

/** The outcome of each order from the locked rows, what to write, and the events to emit (in order). */
function planBatch(
  orders: readonly OrderToReserve[],
  state: ReservationState,
  duplicate: (order: OrderToReserve) => boolean,
): { outcomes: ReservationOutcome[]; writes: ReservationWrites; events: PlannedEvent[] } {
  const events: PlannedEvent[] = [];
  const collect: Emit = Object.assign(
    <T extends EventType>(type: T, data: EventData<T>) => void events.push({ type, data } as PlannedEvent),
    { wake: () => undefined },
  );
  const levels = new Map<string, LevelRow>(
    state.levels.map((level) => [levelKey(level.variantId, level.locationId), { ...level }]),
  );
  const totals = new Map<string, PlannedTotals>(
    state.totals.map((row) => [row.variantId.toLowerCase(), { ...row, changes: 0, onHandDelta: 0, reservedDelta: 0 }]),
  );
  const done = new Set(state.reserved);
  const made: ReservationMade[] = [];
  const outcomes = orders.map((order): ReservationOutcome => {
    const key = order.orderId.toLowerCase();
    if (duplicate(order)) return { kind: "duplicate" };
    if (state.closed.has(key)) return { kind: "closed" };
    if (done.has(key)) return { kind: "already-reserved" };
    const planned = planOrder(order, state.levels, levels);
    if (!Array.isArray(planned)) return planned;
    done.add(key);
    for (const each of planned) {
      const level = levels.get(levelKey(each.variantId, each.locationId))!;
      level.reserved += each.quantity;
      made.push({ ...each, onHandAfter: level.onHand, reservedAfter: level.reserved });
    }
    for (const variantId of [...new Set(planned.map((each) => each.variantId))]) {
      const own = planned.filter((each) => each.variantId === variantId);
      const total = totals.get(variantId.toLowerCase());
      if (!total) throw new Error(`the totals of variant ${variantId} disagree with its locations`);
      const delta = own.reduce((sum, each) => sum + each.quantity, 0);
      total.reserved += delta;
      total.reservedDelta += delta;
      total.version += 1;
      total.changes += 1;
      announceTotals(collect, variantId, total, "RESERVATION");
    }
    return { kind: "reserved" };
  });
  const writes: ReservationWrites = {
    locations: state.levels
      .map((row) => ({
        variantId: row.variantId,
        locationId: row.locationId,
        reservedDelta: levels.get(levelKey(row.variantId, row.locationId))!.reserved - row.reserved,
      }))
      .filter((each) => each.reservedDelta !== 0),
    totals: [...totals.values()]
      .filter((total) => total.changes > 0)
      .map((total) => ({
        variantId: total.variantId,
        reservedDelta: total.reservedDelta,
        changes: total.changes,
        lowStockAlerted: total.lowStockAlerted,
      })),
    made,
  };
  return { outcomes, writes, events };
}

/**
 * Where each line of an order comes from, against the stock as planned so far, or why the order
 * cannot be reserved (the first line, in variant order, that cannot be met).
 */
function planOrder(
  order: OrderToReserve,
  rows: readonly LevelRow[],
  levels: ReadonlyMap<string, LevelRow>,
): Array<Omit<ReservationMade, "onHandAfter" | "reservedAfter">> | ReservationOutcome {
  const plan: Array<Omit<ReservationMade, "onHandAfter" | "reservedAfter">> = [];
  for (const line of normaliseLines(order.lines)) {
    const candidates = rows
      .filter((row) => row.variantId.toLowerCase() === line.variantId.toLowerCase())
      .map((row) => levels.get(levelKey(row.variantId, row.locationId))!)
      .filter((level) => level.active)
      .map((level) => ({
        locationId: level.locationId,
        priority: level.priority,
        available: level.onHand - level.reserved,
      }));
    const parts = allocate(line.quantity, candidates);
    if (!parts) {
      const available = candidates.reduce((sum, candidate) => sum + Math.max(0, candidate.available), 0);
      return {
        kind: "insufficient",
        productId: line.productId,
        variantId: line.variantId,
        requested: line.quantity,
        available,
      };
    }
    for (const part of parts) {
      plan.push({
        orderId: order.orderId,
        variantId: line.variantId,
        productId: line.productId,
        locationId: part.locationId,
        quantity: part.quantity,
        reason: `reserved for order ${order.orderId}`,
      });
    }
  }
  return plan;
}
