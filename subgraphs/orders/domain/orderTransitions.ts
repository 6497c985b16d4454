import { ConflictError } from "../../common/errors";
import type { Emit } from "../../common/events/unitOfWork";
import { toMoney } from "../../common/money";
import type { SqlExecutor } from "../../common/database/prismaOptions";
import { confirmDiscountUses, releaseOrdersDiscountUses } from "../store/discountUseStore";
import { recordTransition } from "../store/orderStore";
import { lockOrderForStep, type LockedOrder } from "../store/sagaStepSql";
import type { OrderRecord } from "../store/records";
import { statusChangedEvent } from "./orderEvents";
import { orderBuyerKey } from "./pricing/buyerKey";
import { paidLines } from "./returns/refundShare";
import { decide, type Decision, type OrderStatus, type SagaEventType } from "./orderStateMachine";

export interface SagaEvent {
  type: SagaEventType;
  /** Why, in words, for the status history. */
  reason: string;
  /** Fields the transition sets besides the status (the shipment). */
  fields?: Partial<Pick<OrderRecord, "carrier" | "trackingNumber" | "shippedAt" | "deliveredAt">>;
}

export type TransitionOutcome =
  { kind: "moved"; order: OrderRecord; from: OrderStatus } | { kind: "unchanged"; order: OrderRecord };

/**
 * Applies one saga event to an order inside the caller's transaction, as the state machine
 * decides: the new status, its line in the status history, `orders.order.status_changed`, and
 * the request for payment once stock is reserved. A command the status does not allow is
 * CONFLICT; a fact that changes nothing is ignored.
 */
export async function applySagaEvent(
  tx: SqlExecutor,
  emit: Emit,
  orderId: string,
  event: SagaEvent,
): Promise<TransitionOutcome | null> {
  // The order locked with its lines and pricing, in one statement: a step is two statements and its events.
  const locked = await lockOrderForStep(tx, orderId);
  if (!locked) return null;
  const { order } = locked;
  const decision = decided(order.status, event.type);
  if (decision.kind === "ignore") return { kind: "unchanged", order };
  const moved = await recordTransition(tx, orderId, {
    status: decision.to,
    ...(decision.cancellationReason ? { cancellationReason: decision.cancellationReason } : {}),
    reason: event.reason,
    ...(event.fields ? { fields: event.fields } : {}),
  });
  await moveDiscountUses(tx, [{ order: moved, to: decision.to }]);
  emitTransition(emit, locked, moved, decision, event.reason);
  return { kind: "moved", order: moved, from: order.status };
}

/** What the state machine decides; a command the status does not allow is CONFLICT. */
export function decided(status: OrderStatus, type: SagaEventType): Exclude<Decision, { kind: "reject" }> {
  const decision = decide(status, type);
  if (decision.kind === "reject") {
    throw new ConflictError(
      `This order is ${status.replace("_", " ").toLowerCase()}; it can no longer be ${type === "SHIPPED" ? "shipped" : type === "DELIVERED" ? "marked delivered" : "cancelled"}.`,
    );
  }
  return decision;
}

/**
 * A discount's use counts once the order is confirmed and comes back when it is cancelled
 * (timed out included), in the transaction of the status change: one statement for all the
 * orders moved, each. An order without discounts (discount_minor 0: no allocation of zero is
 * kept) has none to move.
 */
export async function moveDiscountUses(
  tx: SqlExecutor,
  moves: ReadonlyArray<{ order: OrderRecord; to: OrderStatus }>,
): Promise<void> {
  const discounted = moves.filter((move) => move.order.discountMinor > 0n);
  const confirmed = discounted.filter((move) => move.to === "CONFIRMED").map((move) => move.order.id);
  const cancelled = discounted
    .filter((move) => move.to === "CANCELLED")
    .map((move) => ({ orderId: move.order.id, buyerKey: orderBuyerKey(move.order) }));
  if (confirmed.length > 0) await confirmDiscountUses(tx, confirmed);
  if (cancelled.length > 0) await releaseOrdersDiscountUses(tx, cancelled);
}

/**
 * The events of an order's transition: `orders.order.status_changed`, and the request for
 * payment once stock is reserved.
 */
export function emitTransition(
  emit: Emit,
  locked: LockedOrder,
  moved: OrderRecord,
  decision: { to: OrderStatus; requestPayment?: true },
  reason: string,
): void {
  const { order, items } = locked;
  emit("orders.order.status_changed", statusChangedEvent(moved, items, order.status, reason));
  // An exchange order is paid from its return's refund when the parcel comes back (`receiveReturn`), not by a card.
  if (decision.requestPayment && !moved.exchangeForReturnId) {
    emit("orders.payment.requested", {
      orderId: moved.id,
      customerId: moved.customerId,
      amount: toMoney(moved.totalMinor, moved.currency),
      paymentToken: moved.paymentMethodId ? null : moved.paymentToken,
      paymentMethodId: moved.paymentMethodId,
      deadline: moved.paymentDeadline.toISOString(),
      // Each line's share of the total as priced (after its discounts, with its tax): refunds never exceed it.
      lines: paidLines(moved, items, {
        pricesIncludeTax: moved.pricesIncludeTax,
        // As findPricedAllocations reads them: an order without discount (or tax) has none.
        discounts: moved.discountMinor === 0n ? [] : locked.discountLines.map((lines) => ({ lines })),
        taxLines: moved.taxMinor === 0n ? [] : locked.taxLines,
      }).map((line) => ({
        lineId: line.lineId,
        amount: toMoney(line.amountMinor, moved.currency),
      })),
    });
  }
}
