import type { SqlExecutor } from "../../common/database/prismaOptions";
import { continueTrace, takeEmitted, type Emit } from "../../common/events/unitOfWork";
import type { AppliedRecord } from "../../common/events/appliedRecord";
import {
  lockOrdersForSteps,
  movedOrders,
  recordAndLockOrdersForSteps,
  recordMoves,
  type LockedOrder,
  type OrderMove,
} from "../store/sagaStepSql";
import type { OrderStatus } from "./orderStateMachine";
import { decided, emitTransition, moveDiscountUses, type SagaEvent } from "./orderTransitions";

/** A saga event of a consumed event, with that event's trace for what it emits. */
export interface SagaStep {
  /** The consumed event's id (lower case). */
  eventId: string;
  orderId: string;
  event: SagaEvent;
  traceparent?: string | undefined;
}

/**
 * Applies a batch of saga events (facts other services told, in delivery order) in the caller's
 * transaction, as `applySagaEvent` applies each, in a fixed number of statements whatever their
 * number: every order locked in one, every move with its line of history and the events in one
 * (the unit of work writes none after it), and a discount's
 * uses moved in one more (only when an order moved has discounts). The state machine decides each
 * event against the order's status after the events before it; the events emitted are those
 * `applySagaEvent` would emit, in the same order, each with its own event's trace.
 *
 * With `record` (the consumer's name and its events' ids: `handleRecording`), the first statement
 * also records the events as applied, and only the steps of events recorded now are applied (the
 * others are redeliveries): the ids recorded now are the answer. Without it, every step is applied.
 *
 * Throws, having written nothing, when an order is unknown (a poison message), an event is a
 * command the status refuses (CONFLICT), carries a shipment, or would move an order a second time
 * in the batch: the consumer then applies the events one by one with `applySagaEvent`.
 */
export async function applySagaEvents(
  tx: SqlExecutor,
  emit: Emit,
  allSteps: readonly SagaStep[],
  record?: AppliedRecord,
): Promise<ReadonlySet<string>> {
  let locked: Map<string, LockedOrder>;
  let fresh: ReadonlySet<string>;
  if (record) {
    ({ locked, fresh } = await recordAndLockOrdersForSteps(tx, record, allSteps));
  } else {
    locked = await lockOrdersForSteps(
      tx,
      allSteps.map((step) => step.orderId),
    );
    fresh = new Set(allSteps.map((step) => step.eventId));
  }
  const steps = record ? allSteps.filter((step) => fresh.has(step.eventId)) : allSteps;
  const status = new Map<string, OrderStatus>([...locked].map(([id, each]) => [id, each.order.status]));
  const moves = new Map<string, OrderMove>();
  const planned: Array<{ step: SagaStep; to: OrderStatus; requestPayment?: true }> = [];
  for (const step of steps) {
    const { orderId, event } = step;
    const current = status.get(orderId);
    if (!current) throw new Error(`no order ${orderId} for ${event.type}`);
    if (event.fields) throw new Error(`a batch of saga steps moves no shipment (${event.type})`);
    const decision = decided(current, event.type);
    if (decision.kind === "ignore") continue;
    if (moves.has(orderId)) throw new Error(`order ${orderId} would move twice in one batch`);
    moves.set(orderId, {
      id: orderId,
      status: decision.to,
      cancellationReason: decision.cancellationReason ?? null,
      reason: event.reason,
    });
    status.set(orderId, decision.to);
    planned.push({ step, to: decision.to, ...(decision.requestPayment ? { requestPayment: true as const } : {}) });
  }
  if (planned.length === 0) return fresh;
  // The events are told first, of the orders as the moves leave them, and written by the moves' statement.
  const at = new Date();
  const moved = movedOrders(locked, [...moves.values()], at);
  for (const { step, ...decision } of planned) {
    continueTrace(emit, step.traceparent);
    emitTransition(emit, locked.get(step.orderId)!, moved.get(step.orderId)!, decision, step.event.reason);
  }
  await recordMoves(tx, [...moves.values()], at, takeEmitted(emit));
  await moveDiscountUses(
    tx,
    planned.map(({ step, to }) => ({ order: moved.get(step.orderId)!, to })),
  );
  return fresh;
}
