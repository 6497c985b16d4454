import { randomUUID } from "node:crypto";
import type { Caller } from "../../../common/auth/caller";
import { requireOwnerOrPermission } from "../../../common/auth/guards";
import { hasPermission } from "../../../common/auth/permissions";
import { recordAudit } from "../../../common/audit/recordAudit";
import { ConflictError, NotFoundError } from "../../../common/errors";
import { toMoney } from "../../../common/money";
import { isUuid } from "../../../common/validation";
import type { OrderItem } from "../../generated/prisma/client";
import type { OrdersTx } from "../../store/database";
import {
  countEdits,
  findEditByKey,
  insertEdit,
  releaseDroppedDiscountUses,
  saveEditedOrder,
} from "../../store/editStore";
import { findItemsOfOrders, findOrdersByIds, lockOrder } from "../../store/orderStore";
import { discountOf, loadPricingConfiguration } from "../../store/pricingConfigStore";
import type { OrderRecord, ShippingAddressSnapshot } from "../../store/records";
import { viewVariants, type CatalogViewDependencies, type VariantView } from "../catalogView";
import { guestAddress, lineName } from "../orderEvents";
import { pricingLineOf } from "../orderLines";
import { orderBuyerKey } from "../pricing/buyerKey";
import { orderPricing } from "../pricing/orderPricing";
import type { PricingLine, TaxCategory } from "../pricing/pricingTypes";
import { paidLines } from "../returns/refundShare";
import { maxEditsPerOrder, planEdit, validateEdit, type LineChange } from "./editPlan";
import { repriceOrder, repricingProblem } from "./repriceOrder";

export interface EditOrderDependencies extends CatalogViewDependencies {
  /** How long after placing an order its customer may still edit it (staff: until it ships). */
  editWindowMinutes: number;
}

/** The idempotency key of an edit's refund: the same edit never refunds twice. */
export const editRefundKey = (editId: string) => `edit:${editId}`;

/** The order line as the pricing function reads it: the variant's facts now, the price and tax category it was ordered at. */
function pricingLineOfItem(
  item: OrderItem,
  quantity: number,
  view: VariantView | undefined,
  taxCategories: ReadonlyMap<number, TaxCategory>,
): PricingLine {
  const taxCategory = taxCategories.get(item.position) ?? view?.taxCategory ?? "STANDARD";
  if (view) return { ...pricingLineOf(String(item.position), view, quantity, item.unitPriceMinor), taxCategory };
  // A variant the catalog no longer knows: no category, no weight.
  return {
    lineId: String(item.position),
    variantId: item.variantId,
    productId: item.productId,
    categoryIds: [],
    unitPriceMinor: item.unitPriceMinor,
    quantity,
    weightGrams: 0,
    taxCategory,
  };
}

function requireEditable(order: OrderRecord): void {
  if (order.status !== "CONFIRMED") {
    const why =
      order.status === "PENDING" || order.status === "AWAITING_PAYMENT"
        ? "is not paid yet"
        : `is ${order.status.toLowerCase().replace("_", " ")}`;
    throw new ConflictError(`Only a confirmed order that has not shipped can be edited; this one ${why}.`);
  }
}

/**
 * Cancels lines or reduces quantities of a CONFIRMED order that has not shipped: staff with
 * ORDERS any order, its customer their own within `editWindowMinutes` of placing it. What remains
 * is priced again with the checkout's pricing (see `repriceOrder`); the lines, totals, discount
 * allocations, tax lines, the edit's history and `orders.order.edited` are written in one
 * transaction under the order's lock. Inventory releases the removed units and payments refunds
 * the difference under the edit's key when they hear of it. The client's idempotency key makes a
 * retried edit answer the order as it is, changing nothing; the key with another edit is CONFLICT.
 */
export async function editOrder(
  deps: EditOrderDependencies,
  caller: Caller,
  input: Parameters<typeof validateEdit>[0],
): Promise<OrderRecord> {
  const request = validateEdit(input);
  const [found] = isUuid(request.orderId) ? await findOrdersByIds(deps.db, [request.orderId]) : [];
  if (!found) throw new NotFoundError("No order has this id.", "orderId");
  requireOwnerOrPermission(caller, found.customerId, "ORDERS", "this order");
  const byStaff = hasPermission(caller, "ORDERS");
  // The catalog's facts of the lines (category, weight) are read before the transaction: it
  // never waits on another connection or on products.
  const views = await viewVariants(
    deps,
    (await findItemsOfOrders(deps.db, [found.id])).map((item) => item.variantId),
    { availability: false },
  );

  return deps.unitOfWork(async (tx, emit) => {
    const order = (await lockOrder(tx, found.id))!;
    const earlier = await findEditByKey(tx, order.id, request.idempotencyKey);
    if (earlier) {
      if (earlier.requestHash !== request.hash)
        throw new ConflictError("This idempotency key was already used for a different edit.", "idempotencyKey");
      return order;
    }
    requireEditable(order);
    if ((await tx.fulfillment.count({ where: { orderId: order.id } })) > 0)
      throw new ConflictError("Part of this order has shipped already; it can no longer be edited.");
    if (!byStaff && Date.now() > order.createdAt.getTime() + deps.editWindowMinutes * 60_000)
      throw new ConflictError(
        `An order can be changed for ${deps.editWindowMinutes} minutes after it is placed; ask the shop to change this one.`,
      );
    if ((await countEdits(tx, order.id)) >= maxEditsPerOrder)
      throw new ConflictError(`An order takes at most ${maxEditsPerOrder} edits.`);

    const items = await findItemsOfOrders(tx, [order.id]);
    const changes = planEdit(items, request.lines);
    const kept = new Map(changes.map((change) => [change.orderItemId, change.quantity]));
    const remaining = items
      .map((item) => ({ item, quantity: kept.get(item.id) ?? item.quantity }))
      .filter((each) => each.quantity > 0);

    const priced = await priceRemaining(tx, order, remaining, views);
    const problem = repricingProblem(priced, order.totalMinor);
    if (problem) throw new ConflictError(problem, "lines");

    const pricing = orderPricing(priced);
    const subtotalMinor = priced.subtotalMinor;
    const before = await tx.orderDiscount.findMany({ where: { orderId: order.id }, select: { discountId: true } });
    const keptDiscounts = new Set(pricing.discounts.map((each) => each.discountId));
    await releaseDroppedDiscountUses(
      tx,
      order.id,
      before.map((each) => each.discountId).filter((id) => !keptDiscounts.has(id)),
      orderBuyerKey(order),
    );
    await saveEditedOrder(tx, order.id, { quantities: changes, subtotalMinor, pricing });

    const refundMinor = order.totalMinor - pricing.totalMinor;
    const editLines = changes.map((change) => editLineOf(items, change));
    const edit = await insertEdit(tx, {
      id: randomUUID(),
      orderId: order.id,
      idempotencyKey: request.idempotencyKey,
      requestHash: request.hash,
      editorKind: byStaff ? "STAFF" : "CUSTOMER",
      editorId: caller.userId,
      reason: request.reason,
      lines: editLines,
      previousTotalMinor: order.totalMinor,
      totalMinor: pricing.totalMinor,
      refundMinor,
    });
    const edited = (await lockOrder(tx, order.id))!;
    // What each remaining line (and shipping) pays of the new total: payments' ledger follows it.
    const newItems = remaining.map(({ item, quantity }) => ({ ...item, quantity }));
    const paid = paidLines(edited, newItems, {
      pricesIncludeTax: edited.pricesIncludeTax,
      discounts: pricing.discounts,
      taxLines: pricing.taxLines,
    });
    emit("orders.order.edited", {
      orderId: order.id,
      editId: edit.id,
      customerId: order.customerId,
      number: order.number,
      status: edited.status,
      editedBy: byStaff ? "STAFF" : "CUSTOMER",
      lines: changes.map((change) => {
        const item = items.find((each) => each.id === change.orderItemId)!;
        return {
          orderItemId: item.id,
          productId: item.productId,
          variantId: item.variantId,
          name: lineName(item),
          previousQuantity: change.previousQuantity,
          quantity: change.quantity,
        };
      }),
      previousTotal: toMoney(order.totalMinor, order.currency),
      total: toMoney(edited.totalMinor, order.currency),
      refund: { idempotencyKey: editRefundKey(edit.id), amount: toMoney(refundMinor, order.currency) },
      paidLines: paid.map((line) => ({ lineId: line.lineId, amount: toMoney(line.amountMinor, order.currency) })),
      at: edit.createdAt.toISOString(),
      ...guestAddress(order),
    });
    if (byStaff) {
      await recordAudit(tx, emit, "orders", caller, {
        entityType: "ORDER",
        entityId: order.id,
        action: "order.edited",
        before: { total: toMoney(order.totalMinor, order.currency) },
        after: { total: toMoney(edited.totalMinor, order.currency), editId: edit.id, lines: editLines },
      });
    }
    return edited;
  });
}

function editLineOf(items: readonly OrderItem[], change: LineChange) {
  const item = items.find((each) => each.id === change.orderItemId)!;
  return {
    orderItemId: item.id,
    name: lineName(item),
    previousQuantity: change.previousQuantity,
    quantity: change.quantity,
  };
}

/**
 * Prices the remaining lines with the order's own discounts, its method and address, and the tax
 * rates and setting it was placed with; the shipping zones as the shop has them now.
 */
async function priceRemaining(
  tx: OrdersTx,
  order: OrderRecord,
  remaining: ReadonlyArray<{ item: OrderItem; quantity: number }>,
  views: ReadonlyMap<string, VariantView>,
) {
  const [discountRows, taxLines] = await Promise.all([
    tx.orderDiscount.findMany({
      where: { orderId: order.id },
      select: { discountId: true },
      orderBy: { position: "asc" },
    }),
    tx.orderTaxLine.findMany({ where: { orderId: order.id } }),
  ]);
  const discounts = discountRows.length
    ? await tx.discount.findMany({ where: { id: { in: discountRows.map((row) => row.discountId) } } })
    : [];
  const address = order.shippingAddress as unknown as ShippingAddressSnapshot;
  const destination = { country: address.country, region: address.region ?? null };
  const configuration = await loadPricingConfiguration(tx, {
    currency: order.currency,
    country: destination.country,
    codes: [],
    buyerKey: null,
    now: order.createdAt,
  });
  const taxCategories = new Map(
    taxLines.flatMap((line) =>
      line.position === null ? [] : [[line.position, line.taxCategory as TaxCategory] as const],
    ),
  );
  // The rates the order was taxed at, as its tax lines kept them: a rate changed (or added) since
  // does not change what an order placed before it pays for the lines it keeps.
  const taxRates = [...new Map(taxLines.map((line) => [line.taxCategory, line.ratePpm] as const))].map(
    ([taxCategory, ratePpm]) => ({
      country: destination.country,
      region: null,
      taxCategory: taxCategory as TaxCategory,
      ratePpm: BigInt(ratePpm),
    }),
  );
  const lines = remaining.map(({ item, quantity }) =>
    pricingLineOfItem(item, quantity, views.get(item.variantId), taxCategories),
  );
  return repriceOrder(
    {
      currency: order.currency,
      placedAt: order.createdAt,
      destination,
      shippingMethodId: order.shippingMethodId,
      pricesIncludeTax: order.pricesIncludeTax,
    },
    lines,
    {
      zones: configuration.zones,
      taxRates,
      // In the order they applied at checkout.
      discounts: discountRows.flatMap((row) => {
        const stored = discounts.find((each) => each.id === row.discountId);
        return stored ? [discountOf(stored, 0)] : [];
      }),
    },
  );
}
