import type { Caller } from "../../../common/auth/caller";
import { requireOwnerOrPermission } from "../../../common/auth/guards";
import { BadUserInputError, ConflictError, NotFoundError } from "../../../common/errors";
import type { Emit, UnitOfWork } from "../../../common/events/unitOfWork";
import { toMoney } from "../../../common/money";
import { isUuid, requiredId, requiredText } from "../../../common/validation";
import type { OrdersTx } from "../../store/database";
import { findItemsOfOrders, lockOrder } from "../../store/orderStore";
import type { OrderItem } from "../../generated/prisma/client";
import type { OrderRecord } from "../../store/records";
import {
  deliveredUnits,
  findReturn,
  insertReturn,
  moveReturn,
  returnedUnits,
  type ReturnWithLines,
} from "../../store/returnStore";
import { guestAddress, lineName } from "../orderEvents";
import { maxReturnsPerOrder, planLines } from "../fulfillment/linePlan";
import { requireLocation } from "../fulfillment/locations";
import { findPricedAllocations } from "../../store/orderPricingStore";
import { paidLines, returnedShare } from "./refundShare";

export interface ReturnDependencies {
  unitOfWork: UnitOfWork<OrdersTx>;
  returnWindowDays: number;
}

/** The idempotency key of a return's refund: the same return never refunds twice. */
export const returnRefundKey = (returnId: string) => `return:${returnId}`;

/** Statuses whose units count as returned (or on their way back). */
const notRefused = ["REQUESTED", "APPROVED", "RECEIVED", "REFUNDED"] as const;

function returnFacts(order: OrderRecord, items: readonly OrderItem[], theReturn: ReturnWithLines) {
  const byId = new Map(items.map((item) => [item.id, item]));
  return {
    returnId: theReturn.id,
    orderId: order.id,
    customerId: order.customerId,
    number: order.number,
    reason: theReturn.reason,
    lines: theReturn.lines.map((line) => {
      const item = byId.get(line.orderItemId)!;
      return {
        orderItemId: item.id,
        productId: item.productId,
        variantId: item.variantId,
        name: lineName(item),
        quantity: line.quantity,
      };
    }),
    at: theReturn.updatedAt.toISOString(),
    ...guestAddress(order),
  };
}

/**
 * A customer asks to return delivered units of their own order, within the return window after
 * its last delivery: never more of a line than was delivered and not already in a return.
 */
export async function requestReturn(
  deps: ReturnDependencies,
  caller: Caller,
  input: { orderId: string; reason: string; lines: ReadonlyArray<{ orderItemId: string; quantity: number }> },
): Promise<ReturnWithLines & { currency: string }> {
  const orderId = requiredId(input.orderId, "orderId");
  const reason = requiredText(input.reason, "reason", { max: 500 });
  return deps.unitOfWork(async (tx, emit) => {
    const order = await lockOrder(tx, orderId);
    if (!order) throw new NotFoundError("No order has this id.", "orderId");
    requireOwnerOrPermission(caller, order.customerId, "ORDERS", "this order");
    if (order.status === "CANCELLED" || order.status === "REFUNDED")
      throw new ConflictError(`This order is ${order.status.toLowerCase()}; nothing of it can be returned.`);
    const delivered = await deliveredUnits(tx, order.id);
    if (!delivered.lastDeliveredAt) throw new ConflictError("Nothing of this order has been delivered yet.");
    const closes = delivered.lastDeliveredAt.getTime() + deps.returnWindowDays * 86_400_000;
    if (Date.now() > closes)
      throw new ConflictError(
        `Returns are accepted for ${deps.returnWindowDays} days after delivery; this one's window has closed.`,
      );
    if ((await tx.orderReturn.count({ where: { orderId: order.id } })) >= maxReturnsPerOrder)
      throw new ConflictError(`At most ${maxReturnsPerOrder} returns can be asked of one order.`);
    const items = await findItemsOfOrders(tx, [order.id]);
    const taken = await returnedUnits(tx, order.id, notRefused);
    const lines = planLines(
      input.lines,
      items.map((item) => ({
        orderItemId: item.id,
        ordered: item.quantity,
        taken: taken.get(item.id) ?? 0,
        limit: delivered.units.get(item.id) ?? 0,
      })),
      "lines",
      "returned",
    );
    const created = await insertReturn(tx, { orderId: order.id, customerId: order.customerId, reason, lines });
    emit("orders.return.requested", returnFacts(order, items, created));
    return { ...created, currency: order.currency };
  });
}

/** Runs a back-office step on a return under its order's lock. */
async function onReturn<T>(
  deps: ReturnDependencies,
  id: string,
  step: (tx: OrdersTx, emit: Emit, theReturn: ReturnWithLines, order: OrderRecord) => Promise<T>,
): Promise<T> {
  if (!isUuid(id)) throw new NotFoundError("No return has this id.", "id");
  return deps.unitOfWork(async (tx, emit) => {
    const found = await findReturn(tx, id);
    if (!found) throw new NotFoundError("No return has this id.", "id");
    const order = (await lockOrder(tx, found.orderId))!;
    // Read again under the lock, so two steps on one return happen one after the other.
    return step(tx, emit, (await findReturn(tx, id))!, order);
  });
}

function conflictUnless(theReturn: ReturnWithLines, status: ReturnWithLines["status"], doing: string): void {
  if (theReturn.status !== status)
    throw new ConflictError(
      `This return is ${theReturn.status.toLowerCase()}; only a ${status.toLowerCase()} one can be ${doing}.`,
    );
}

export function approveReturn(deps: ReturnDependencies, id: string, labelReference: string) {
  const label = requiredText(labelReference, "labelReference", { max: 200 });
  return onReturn(deps, id, async (tx, emit, theReturn, order) => {
    conflictUnless(theReturn, "REQUESTED", "approved");
    const moved = (await moveReturn(tx, id, "REQUESTED", { status: "APPROVED", labelReference: label }))!;
    emit("orders.return.approved", {
      ...returnFacts(order, await findItemsOfOrders(tx, [order.id]), moved),
      labelReference: label,
    });
    return { ...moved, currency: order.currency };
  });
}

export function rejectReturn(deps: ReturnDependencies, id: string, reason: string) {
  const why = requiredText(reason, "reason", { max: 500 });
  return onReturn(deps, id, async (tx, emit, theReturn, order) => {
    conflictUnless(theReturn, "REQUESTED", "rejected");
    const moved = (await moveReturn(tx, id, "REQUESTED", { status: "REJECTED", rejectionReason: why }))!;
    emit("orders.return.rejected", {
      ...returnFacts(order, await findItemsOfOrders(tx, [order.id]), moved),
      rejectionReason: why,
    });
    return { ...moved, currency: order.currency };
  });
}

/**
 * The returned parcel arrived: its units go back into stock at the chosen location (or not), and
 * payments is asked to refund the returned lines' share of what they paid, plus the shipping if
 * chosen (once an order), under the return's own idempotency key. Payments caps it at what each
 * line has left to refund.
 */
export function receiveReturn(
  deps: ReturnDependencies,
  input: { returnId: string; restock: boolean; locationId?: string | null; refundShipping?: boolean | null },
) {
  const locationId = input.locationId ? requiredId(input.locationId, "locationId") : null;
  if (input.restock && !locationId)
    throw new BadUserInputError("Say where the units go back into stock.", "locationId");
  return onReturn(deps, input.returnId, async (tx, emit, theReturn, order) => {
    conflictUnless(theReturn, "APPROVED", "received");
    if (input.restock && locationId) await requireLocation(tx, locationId, "locationId", { active: false });
    const items = await findItemsOfOrders(tx, [order.id]);
    const before = await returnedUnits(tx, order.id, ["RECEIVED", "REFUNDED"], theReturn.id);
    // What each line paid as the order was priced: after its discounts, with its tax.
    const paid = new Map(paidLines(order, items, await findPricedAllocations(tx, order)).map((l) => [l.lineId, l]));
    const lines = theReturn.lines.map((line) => {
      const item = items.find((each) => each.id === line.orderItemId)!;
      const linePaidMinor = paid.get(item.id)?.amountMinor ?? 0n;
      const amount = returnedShare(linePaidMinor, item.quantity, before.get(item.id) ?? 0, line.quantity);
      return { lineId: item.id, amountMinor: amount };
    });
    const shippingPaid = paid.get("shipping")?.amountMinor ?? 0n;
    const shippingRefundedBefore =
      (await tx.orderReturn.count({
        where: { orderId: order.id, refundShipping: true, status: { in: ["RECEIVED", "REFUNDED"] } },
      })) > 0;
    const refundShipping = !!input.refundShipping && shippingPaid > 0n && !shippingRefundedBefore;
    if (refundShipping) lines.push({ lineId: "shipping", amountMinor: shippingPaid });
    const total = lines.reduce((sum, line) => sum + line.amountMinor, 0n);
    const moved = (await moveReturn(tx, theReturn.id, "APPROVED", {
      status: "RECEIVED",
      restocked: input.restock,
      restockLocationId: input.restock ? locationId : null,
      refundShipping,
      refundMinor: total,
    }))!;
    emit("orders.return.received", {
      ...returnFacts(order, items, moved),
      restockLocationId: input.restock ? locationId : null,
      refund: {
        idempotencyKey: returnRefundKey(moved.id),
        amount: toMoney(total, order.currency),
        lines: lines.map((line) => ({ lineId: line.lineId, amount: toMoney(line.amountMinor, order.currency) })),
      },
    });
    return { ...moved, currency: order.currency };
  });
}
