import { continueTrace, takeEmitted, type Emit } from "../../common/events/unitOfWork";
import type { InventorySqlTx } from "../store/database";
import { lockOrders } from "../store/reservationSql";
import {
  applySettlements,
  readSettlementState,
  type HeldLevelRow,
  type SettlementMovement,
  type SettlementWrites,
  writesAnything,
} from "../store/settlementSql";
import { announceTotals, type PlannedTotals } from "./plannedTotals";

/** An order whose reservations end: given back where they were held (`release`), or gone with the goods (`deduct`). */
export interface OrderToSettle {
  orderId: string;
  action: "release" | "deduct";
  /** The ledger entries' reason. */
  reason: string;
  /** The trace its events carry, when it is settled for a consumed event (present even if undefined: the event has none). */
  traceparent?: string | undefined;
}

const levelKey = (variantId: string, locationId: string) => `${variantId.toLowerCase()}|${locationId.toLowerCase()}`;

/**
 * Releases or deducts the units a batch of orders still hold (reserved and not shipped with a
 * parcel), at the locations they were held, in three statements whatever the batch holds: the
 * orders' locks (none when the caller holds them already: `options.locked`); their reservations
 * with the location rows and totals of what they hold, locked; every write, with the events
 * emitted so far (the unit of work then writes none). Each order's reservations still RESERVED then take the status of its
 * action. An order released before it was reserved is closed, so a late "placed" reserves
 * nothing for it. For each variant an order changed: `inventory.stock.changed`, and
 * `inventory.stock.low` when its availability has just crossed the threshold. Answers, per
 * order in the order given, how many reservations were settled (0: nothing was held).
 */
export async function settleOrders(
  tx: InventorySqlTx,
  emit: Emit,
  orders: readonly OrderToSettle[],
  options: { locked?: boolean } = {},
): Promise<number[]> {
  if (orders.length === 0) return [];
  const orderIds = orders.map((order) => order.orderId);
  if (!options.locked) await lockOrders(tx, orderIds);
  const state = await readSettlementState(tx, orderIds);
  const levels = new Map<string, HeldLevelRow>(
    state.levels.map((level) => [levelKey(level.variantId, level.locationId), { ...level }]),
  );
  const totals = new Map<string, PlannedTotals>(
    state.totals.map((row) => [row.variantId.toLowerCase(), { ...row, changes: 0, onHandDelta: 0, reservedDelta: 0 }]),
  );
  const reservations = state.reservations.map((row) => ({ ...row }));
  const writes: Omit<SettlementWrites, "locations" | "totals"> & {
    movements: SettlementMovement[];
    settled: Array<SettlementWrites["settled"][number]>;
    closed: string[];
  } = { movements: [], settled: [], closed: [] };
  const counts = orders.map((order) => {
    if ("traceparent" in order) continueTrace(emit, order.traceparent);
    const own = reservations
      .filter((row) => row.orderId.toLowerCase() === order.orderId.toLowerCase())
      .sort((a, b) => a.variantId.localeCompare(b.variantId) || a.locationId.localeCompare(b.locationId));
    if (order.action === "release" && own.length === 0) writes.closed.push(order.orderId);
    const open = own.filter((row) => row.status === "RESERVED");
    // Units already shipped in parcels left with them; only the rest is still held.
    const held = open.filter((row) => row.quantity > row.shipped);
    if (held.length === 0) return 0;
    const kind = order.action === "release" ? "RELEASE" : "DEDUCTION";
    for (const row of held) {
      const quantity = row.quantity - row.shipped;
      const level = levels.get(levelKey(row.variantId, row.locationId));
      const onHandDelta = order.action === "deduct" ? -quantity : 0;
      if (!level || level.reserved < quantity || level.onHand + onHandDelta < level.reserved - quantity)
        throw new Error(`stock holds less than order ${order.orderId} reserved`);
      level.onHand += onHandDelta;
      level.reserved -= quantity;
      writes.movements.push({
        orderId: order.orderId,
        variantId: row.variantId,
        productId: row.productId,
        locationId: row.locationId,
        kind,
        onHandDelta,
        reservedDelta: -quantity,
        onHandAfter: level.onHand,
        reservedAfter: level.reserved,
        reason: order.reason,
      });
    }
    for (const variantId of [...new Set(held.map((row) => row.variantId))]) {
      const total = totals.get(variantId.toLowerCase());
      const units = held
        .filter((row) => row.variantId === variantId)
        .reduce((sum, row) => sum + row.quantity - row.shipped, 0);
      const onHandDelta = order.action === "deduct" ? -units : 0;
      if (!total || total.reserved < units || total.onHand + onHandDelta < total.reserved - units)
        throw new Error(`the totals of variant ${variantId} disagree with its locations`);
      total.onHand += onHandDelta;
      total.reserved -= units;
      total.onHandDelta += onHandDelta;
      total.reservedDelta -= units;
      total.version += 1;
      total.changes += 1;
      announceTotals(emit, variantId, total, kind);
    }
    const status = order.action === "release" ? "RELEASED" : "DEDUCTED";
    for (const row of open) row.status = status;
    writes.settled.push({ orderId: order.orderId, status });
    return held.length;
  });
  // Taken only for a write that is sent: else the unit of work writes them.
  await applySettlements(tx, writesOf(state, levels, totals, writes), writesAnything(writes) ? takeEmitted(emit) : []);
  return counts;
}

/** The batch's writes: each location row's and variant's change, summed, with the orders' own. */
function writesOf(
  state: { levels: readonly HeldLevelRow[] },
  levels: ReadonlyMap<string, HeldLevelRow>,
  totals: ReadonlyMap<string, PlannedTotals>,
  writes: Omit<SettlementWrites, "locations" | "totals">,
): SettlementWrites {
  return {
    ...writes,
    locations: state.levels
      .map((row) => {
        const after = levels.get(levelKey(row.variantId, row.locationId))!;
        return {
          variantId: row.variantId,
          locationId: row.locationId,
          onHandDelta: after.onHand - row.onHand,
          reservedDelta: after.reserved - row.reserved,
        };
      })
      .filter((each) => each.onHandDelta !== 0 || each.reservedDelta !== 0),
    totals: [...totals.values()]
      .filter((total) => total.changes > 0)
      .map((total) => ({
        variantId: total.variantId,
        onHandDelta: total.onHandDelta,
        reservedDelta: total.reservedDelta,
        changes: total.changes,
        lowStockAlerted: total.lowStockAlerted,
      })),
  };
}
