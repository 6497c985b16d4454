import type { Caller } from "../../../common/auth/caller";
import { requireOwnerOrPermission } from "../../../common/auth/guards";
import { BadUserInputError, ConflictError, NotFoundError } from "../../../common/errors";
import type { Emit, UnitOfWork } from "../../../common/events/unitOfWork";
import { toMoney } from "../../../common/money";
import { isUuid, requiredId, requiredText } from "../../../common/validation";
import type { OrdersTx } from "../../store/database";
import { findItemsOfOrders, findOrdersByIds, lockOrder } from "../../store/orderStore";
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
import type { CatalogViewDependencies } from "../catalogView";
import {
  cancelExchangeOrder,
  checkExchangeLines,
  exchangeCreditKey,
  placeExchangeOrder,
  priceExchange,
  type ExchangeQuote,
} from "./exchanges";

export interface ReturnDependencies extends CatalogViewDependencies {
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
    ...(theReturn.exchangeLines.length
      ? {
          replacements: theReturn.exchangeLines.map((line) => ({
            orderItemId: line.orderItemId,
            productId: line.productId,
            variantId: line.variantId,
            quantity: line.quantity,
          })),
        }
      : {}),
  };
}

/**
 * What each returned line is worth, as a refund would pay it: its share of what the line paid
 * (after its discounts, with its tax), counting units of returns received before this one.
 */
async function returnShares(
  tx: OrdersTx,
  order: OrderRecord,
  items: readonly OrderItem[],
  lines: ReadonlyArray<{ orderItemId: string; quantity: number }>,
  returnId: string | null,
) {
  const before = await returnedUnits(tx, order.id, ["RECEIVED", "REFUNDED"], returnId ?? undefined);
  const paid = new Map(paidLines(order, items, await findPricedAllocations(tx, order)).map((l) => [l.lineId, l]));
  const shares = lines.map((line) => {
    const item = items.find((each) => each.id === line.orderItemId)!;
    const linePaidMinor = paid.get(item.id)?.amountMinor ?? 0n;
    const amount = returnedShare(linePaidMinor, item.quantity, before.get(item.id) ?? 0, line.quantity);
    return { lineId: item.id, amountMinor: amount };
  });
  return { shares, shippingPaid: paid.get("shipping")?.amountMinor ?? 0n };
}

const sumOf = (lines: ReadonlyArray<{ amountMinor: bigint }>) =>
  lines.reduce((sum, line) => sum + line.amountMinor, 0n);

function coversExchange(quote: ExchangeQuote, creditMinor: bigint, currency: string): string | null {
  if (quote.priced.totalMinor <= creditMinor) return null;
  return `The replacements cost ${toMoney(quote.priced.totalMinor, currency).amount} ${currency}, more than the ${toMoney(creditMinor, currency).amount} ${currency} the returned units are worth; paying the difference is not supported: choose fewer or cheaper replacements.`;
}

/**
 * A customer asks to return delivered units of their own order, within the return window after
 * its last delivery: never more of a line than was delivered and not already in a return.
 */
export async function requestReturn(
  deps: ReturnDependencies,
  caller: Caller,
  input: {
    orderId: string;
    reason: string;
    lines: ReadonlyArray<{ orderItemId: string; quantity: number }>;
    exchange?: ReadonlyArray<{ orderItemId: string; variantId: string; quantity: number }> | null;
  },
): Promise<ReturnWithLines & { currency: string }> {
  const orderId = requiredId(input.orderId, "orderId");
  const reason = requiredText(input.reason, "reason", { max: 500 });
  // Replacements are priced before the transaction: a look-up may ask the products subgraph.
  let quote: ExchangeQuote | null = null;
  if (input.exchange && input.exchange.length > 0) {
    const [order] = await findOrdersByIds(deps.db, [orderId]);
    if (!order) throw new NotFoundError("No order has this id.", "orderId");
    requireOwnerOrPermission(caller, order.customerId, "ORDERS", "this order");
    const asks = checkExchangeLines(input.exchange, input.lines, await findItemsOfOrders(deps.db, [order.id]));
    quote = await priceExchange(deps, order, asks, { checkAvailability: true });
  }
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
    if (quote) {
      const { shares } = await returnShares(tx, order, items, lines, null);
      const refused = coversExchange(quote, sumOf(shares), order.currency);
      if (refused) throw new BadUserInputError(refused, "exchange");
    }
    const created = await insertReturn(tx, {
      orderId: order.id,
      customerId: order.customerId,
      reason,
      lines,
      exchange: quote
        ? {
            totalMinor: quote.priced.totalMinor,
            lines: quote.lines.map((line) => ({
              orderItemId: line.orderItemId,
              productId: line.productId,
              variantId: line.variantId,
              quantity: line.quantity,
              unitPriceMinor: line.unitPriceMinor,
            })),
          }
        : null,
    });
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

/**
 * The back office accepts a return. For an exchange, the replacements are priced again at the
 * prices quoted to the customer and the exchange order is placed, so its stock is held while the
 * parcel comes back; a replacement no longer for sale, or costing more than the returned units
 * are now worth, is CONFLICT.
 */
export async function approveReturn(deps: ReturnDependencies, id: string, labelReference: string) {
  const label = requiredText(labelReference, "labelReference", { max: 200 });
  const quote = await quoteOfReturn(deps, id);
  return onReturn(deps, id, async (tx, emit, theReturn, order) => {
    conflictUnless(theReturn, "REQUESTED", "approved");
    let exchangeOrder: OrderRecord | null = null;
    if (theReturn.exchangeLines.length > 0) {
      // The quote was read before the lock; the return cannot have changed its lines since.
      if (!quote) throw new ConflictError("This return changed while it was being approved: try again.");
      const items = await findItemsOfOrders(tx, [order.id]);
      const { shares } = await returnShares(tx, order, items, theReturn.lines, theReturn.id);
      const refused = coversExchange(quote, sumOf(shares), order.currency);
      if (refused) throw new ConflictError(`${refused} Reject the return, or the customer asks again.`);
      exchangeOrder = await placeExchangeOrder(tx, emit, order, theReturn, quote, deps.returnWindowDays);
    }
    const moved = (await moveReturn(tx, id, "REQUESTED", {
      status: "APPROVED",
      labelReference: label,
      ...(exchangeOrder ? { exchangeOrderId: exchangeOrder.id } : {}),
    }))!;
    emit("orders.return.approved", {
      ...returnFacts(order, await findItemsOfOrders(tx, [order.id]), moved),
      labelReference: label,
      ...(exchangeOrder ? { exchangeOrder: { orderId: exchangeOrder.id, number: exchangeOrder.number } } : {}),
    });
    return { ...moved, currency: order.currency };
  });
}

/** An exchange's replacements priced at the prices quoted to the customer; null for a plain return. */
async function quoteOfReturn(deps: ReturnDependencies, id: string): Promise<ExchangeQuote | null> {
  if (!isUuid(id)) throw new NotFoundError("No return has this id.", "id");
  const found = await findReturn(deps.db, id);
  if (!found || found.exchangeLines.length === 0 || found.status !== "REQUESTED") return null;
  const [order] = await findOrdersByIds(deps.db, [found.orderId]);
  if (!order) return null;
  try {
    return await priceExchange(
      deps,
      order,
      found.exchangeLines.map((line, index) => ({
        orderItemId: line.orderItemId,
        variantId: line.variantId,
        quantity: line.quantity,
        field: `exchange.${index}`,
      })),
      { checkAvailability: false, unitPrices: found.exchangeLines.map((line) => line.unitPriceMinor) },
    );
  } catch (error) {
    // A replacement withdrawn from sale (or gone) since the customer asked: the request stands as it was.
    if (error instanceof BadUserInputError || error instanceof NotFoundError)
      throw new ConflictError(`${error.message} Reject the return, or the customer asks again.`);
    throw error;
  }
}

/**
 * The back office refuses a return: one asked for, or one approved whose parcel never came or
 * came not as described. An exchange's order is cancelled, which releases its held stock.
 */
export function rejectReturn(deps: ReturnDependencies, id: string, reason: string) {
  const why = requiredText(reason, "reason", { max: 500 });
  return onReturn(deps, id, async (tx, emit, theReturn, order) => {
    if (theReturn.status !== "REQUESTED" && theReturn.status !== "APPROVED")
      throw new ConflictError(
        `This return is ${theReturn.status.toLowerCase()}; only a requested or approved one can be rejected.`,
      );
    if (theReturn.exchangeOrderId)
      await cancelExchangeOrder(tx, emit, theReturn.exchangeOrderId, `exchange refused: ${why}`);
    const moved = (await moveReturn(tx, id, theReturn.status, { status: "REJECTED", rejectionReason: why }))!;
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
    // What each line paid as the order was priced: after its discounts, with its tax.
    const { shares: lines, shippingPaid } = await returnShares(tx, order, items, theReturn.lines, theReturn.id);
    const exchange = theReturn.exchangeOrderId ? await exchangeToPay(tx, theReturn) : null;
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
      ...(exchange ? { exchange } : {}),
    });
    return { ...moved, currency: order.currency };
  });
}

/**
 * What payments is to pay from a return's refund: its exchange order, while it holds its stock
 * and waits (AWAITING_PAYMENT). One still being reserved is CONFLICT (the back office tries
 * again in a moment); one cancelled meanwhile (sold out, refused, timed out) is not paid, and the
 * whole refund goes back to the card.
 */
async function exchangeToPay(tx: OrdersTx, theReturn: ReturnWithLines) {
  const exchangeOrder = await lockOrder(tx, theReturn.exchangeOrderId!);
  if (!exchangeOrder) return null;
  if (exchangeOrder.status === "PENDING")
    throw new ConflictError("The exchange order's stock is still being reserved: try again in a moment.");
  if (exchangeOrder.status !== "AWAITING_PAYMENT") return null;
  const items = await findItemsOfOrders(tx, [exchangeOrder.id]);
  const lines = paidLines(exchangeOrder, items, await findPricedAllocations(tx, exchangeOrder));
  return {
    orderId: exchangeOrder.id,
    number: exchangeOrder.number,
    amount: toMoney(exchangeOrder.totalMinor, exchangeOrder.currency),
    lines: lines.map((line) => ({ lineId: line.lineId, amount: toMoney(line.amountMinor, exchangeOrder.currency) })),
    idempotencyKey: exchangeCreditKey(theReturn.id),
  };
}
