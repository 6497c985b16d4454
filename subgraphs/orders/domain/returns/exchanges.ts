import { randomUUID } from "node:crypto";
import { BadUserInputError } from "../../../common/errors";
import type { Emit } from "../../../common/events/unitOfWork";
import { toMoney } from "../../../common/money";
import { boundedInt, requiredId } from "../../../common/validation";
import type { OrderItem } from "../../generated/prisma/client";
import type { OrdersTx } from "../../store/database";
import { insertOrder, lockOrder } from "../../store/orderStore";
import { loadPricingConfiguration } from "../../store/pricingConfigStore";
import type { OrderRecord, ShippingAddressSnapshot } from "../../store/records";
import type { ReturnWithLines } from "../../store/returnStore";
import type { CatalogViewDependencies } from "../catalogView";
import { displayName, requireForSale, resolveTargets } from "../lineTarget";
import { statusChangedEvent } from "../orderEvents";
import { pricingLineOf, type PricedLine } from "../orderLines";
import { newOrderNumber } from "../orderNumber";
import { applySagaEvent } from "../orderTransitions";
import { orderPricing } from "../pricing/orderPricing";
import { priceCheckout } from "../pricing/priceCheckout";
import type { PricedCheckout } from "../pricing/pricingTypes";

/**
 * Exchanges: a return whose refund pays for a new order of other variants.
 *
 * The customer names, for returned lines, the variants to send instead. They are priced as
 * checkout prices an order (`priceCheckout`, the shop's tax at the original address), with no
 * discount codes or automatic promotions, and without shipping: an exchange ships free. Costing
 * more than the returned units are worth is refused when asked (charging the difference is not
 * supported). Approval places the exchange order (inventory holds its stock through the saga, as
 * for any order; it waits in AWAITING_PAYMENT, with no payment asked, until the parcel comes
 * back); rejection cancels it and so releases the stock; receipt asks payments to pay it from the
 * return's refund (no card charged) and refund only the rest.
 */

/** Most replacements one exchange may name. */
export const maxExchangeLines = 50;

/** The idempotency key under which a return's credit pays its exchange order. */
export const exchangeCreditKey = (returnId: string) => `exchange:${returnId}`;

/**
 * How long an exchange order holds its stock waiting for the returned parcel: the return window,
 * at least two weeks. An exchange order still unpaid then is cancelled (PAYMENT_TIMEOUT) like any
 * order whose payment window closed, which releases its stock; the return is then refunded in full.
 */
export const exchangeHoldMs = (returnWindowDays: number) => Math.max(returnWindowDays, 14) * 86_400_000;

/** A replacement as asked: which returned line it replaces, the variant, how many, and its input field. */
export interface ExchangeAsk {
  orderItemId: string;
  variantId: string;
  quantity: number;
  field: string;
}

/**
 * Checks the replacements against the lines being returned: each replaces a returned line, names
 * another variant than that line's, and the replacements of a line add up to no more units than
 * are returned of it. BAD_USER_INPUT naming the field at fault.
 */
export function checkExchangeLines(
  input: ReadonlyArray<{ orderItemId: string; variantId: string; quantity: number }>,
  returning: ReadonlyArray<{ orderItemId: string; quantity: number }>,
  items: readonly Pick<OrderItem, "id" | "variantId">[],
): ExchangeAsk[] {
  if (input.length > maxExchangeLines)
    throw new BadUserInputError(`An exchange names at most ${maxExchangeLines} replacements.`, "exchange");
  const returned = new Map(returning.map((line) => [line.orderItemId, line.quantity]));
  const used = new Map<string, number>();
  return input.map((line, index) => {
    const field = `exchange.${index}`;
    const orderItemId = requiredId(line.orderItemId, `${field}.orderItemId`);
    const variantId = requiredId(line.variantId, `${field}.variantId`);
    const quantity = boundedInt(line.quantity, `${field}.quantity`, { min: 1, max: 999 });
    const units = returned.get(orderItemId);
    if (units === undefined)
      throw new BadUserInputError(
        "Only a line being returned can be exchanged: add it to `lines`.",
        `${field}.orderItemId`,
      );
    const item = items.find((each) => each.id === orderItemId);
    if (item?.variantId === variantId)
      throw new BadUserInputError(
        "This is the variant being returned: an exchange sends another one.",
        `${field}.variantId`,
      );
    const total = (used.get(orderItemId) ?? 0) + quantity;
    if (total > units)
      throw new BadUserInputError(
        `At most ${units} unit${units === 1 ? "" : "s"} can replace this line: as many as are returned of it.`,
        `${field}.quantity`,
      );
    used.set(orderItemId, total);
    return { orderItemId, variantId, quantity, field };
  });
}

/** Replacements priced for an order: each line's snapshot, and the checkout's price of them. */
export interface ExchangeQuote {
  lines: Array<PricedLine & { orderItemId: string }>;
  subtotalMinor: bigint;
  priced: PricedCheckout;
}

/**
 * Prices replacements as an order of them would be priced at the original order's address: the
 * variants must be for sale and priced in the order's currency, and (`checkAvailability`) in
 * stock by orders' read model. `unitPrices` keeps the prices the customer was quoted (at approval).
 * Reads only: call it before the transaction (a look-up may ask the products subgraph).
 */
export async function priceExchange(
  deps: CatalogViewDependencies,
  order: Pick<OrderRecord, "currency" | "shippingAddress">,
  asks: readonly ExchangeAsk[],
  options: { checkAvailability: boolean; unitPrices?: readonly bigint[] },
): Promise<ExchangeQuote> {
  const views = await resolveTargets(
    deps,
    asks.map((ask) => ({ kind: "variant" as const, id: ask.variantId, field: `${ask.field}.variantId` })),
    { availability: options.checkAvailability },
  );
  const wanted = new Map<string, number>();
  for (const ask of asks) wanted.set(ask.variantId, (wanted.get(ask.variantId) ?? 0) + ask.quantity);
  const lines = asks.map((ask, index) => {
    const view = requireForSale(views[index]!, `${ask.field}.variantId`);
    if (view.currency !== order.currency)
      throw new BadUserInputError(
        `${displayName(view)} is priced in ${view.currency}, the order in ${order.currency}.`,
        `${ask.field}.variantId`,
      );
    const want = wanted.get(view.variantId)!;
    if (options.checkAvailability && view.available < want)
      throw new BadUserInputError(
        `Only ${Math.max(view.available, 0)} of ${displayName(view)} are in stock; ${want} are asked for.`,
        `${ask.field}.variantId`,
      );
    return {
      view,
      line: {
        orderItemId: ask.orderItemId,
        productId: view.productId,
        variantId: view.variantId,
        productName: view.productName,
        variantTitle: view.title,
        sku: view.sku,
        selectedOptions: view.selectedOptions,
        imageUrl: view.image?.url ?? null,
        imageAlt: view.image?.alt ?? "",
        quantity: ask.quantity,
        unitPriceMinor: options.unitPrices?.[index] ?? view.priceMinor,
      },
    };
  });
  const address = order.shippingAddress as unknown as ShippingAddressSnapshot;
  const destination = { country: address.country, region: address.region ?? null };
  const now = new Date();
  const configuration = await loadPricingConfiguration(deps.db, {
    currency: order.currency,
    country: destination.country,
    codes: [],
    buyerKey: null,
    now,
  });
  // The one pricing function, with the shop's tax and none of its shipping or discounts.
  const priced = priceCheckout({
    currency: order.currency,
    lines: lines.map(({ view, line }, index) => pricingLineOf(String(index), view, line.quantity, line.unitPriceMinor)),
    destination,
    shippingMethodId: null,
    zones: [],
    taxRates: configuration.taxRates,
    codes: [],
    codeDiscounts: [],
    promotions: [],
    pricesIncludeTax: configuration.pricesIncludeTax,
    now,
  });
  const subtotalMinor = lines.reduce((sum, { line }) => sum + line.unitPriceMinor * BigInt(line.quantity), 0n);
  return { lines: lines.map(({ line }) => line), subtotalMinor, priced };
}

/**
 * Places the exchange order of an approved return, in the approval's transaction: the customer's,
 * to the original order's addresses, priced as quoted. It is placed as any order is
 * (`orders.order.placed`), so inventory reserves its stock; the saga asks no payment for it
 * (`exchangeForReturnId`), which the return's receipt settles.
 */
export async function placeExchangeOrder(
  tx: OrdersTx,
  emit: Emit,
  original: OrderRecord,
  theReturn: ReturnWithLines,
  quote: ExchangeQuote,
  returnWindowDays: number,
): Promise<OrderRecord> {
  const lines = quote.lines.map(({ orderItemId: _replaces, ...line }) => line);
  const order = await insertOrder(tx, {
    id: randomUUID(),
    number: newOrderNumber(),
    customerId: original.customerId,
    currency: original.currency,
    subtotalMinor: quote.subtotalMinor,
    ...orderPricing(quote.priced),
    shippingAddress: original.shippingAddress as unknown as ShippingAddressSnapshot,
    billingAddress: original.billingAddress as unknown as ShippingAddressSnapshot | null,
    paymentToken: "",
    paymentMethodId: null,
    paymentDeadline: new Date(Date.now() + exchangeHoldMs(returnWindowDays)),
    guestEmail: original.guestEmail,
    exchangeForReturnId: theReturn.id,
    originalOrderId: original.id,
    lines,
  });
  // Attached guest orders stay attached: the exchange belongs to whoever owns the original.
  if (original.attachedAt)
    await tx.order.update({ where: { id: order.id }, data: { attachedAt: original.attachedAt } });
  const { currency } = order;
  emit("orders.order.placed", {
    orderId: order.id,
    number: order.number,
    customerId: order.customerId,
    lines: lines.map(({ productId, variantId, quantity, unitPriceMinor }) => ({
      productId,
      variantId,
      quantity,
      unitPrice: toMoney(unitPriceMinor, currency),
    })),
    total: toMoney(order.totalMinor, currency),
    shipping: null,
    subtotal: toMoney(order.subtotalMinor, currency),
    discount: toMoney(0n, currency),
    tax: toMoney(order.taxMinor, currency),
  });
  emit(
    "orders.order.status_changed",
    statusChangedEvent(order, lines, null, `exchange for a return of order ${original.number}`),
  );
  return order;
}

/**
 * Cancels an exchange order still waiting for its return (its stock is then released by the
 * saga, as for any cancelled order); one already cancelled, or paid, is left as it is.
 */
export async function cancelExchangeOrder(tx: OrdersTx, emit: Emit, orderId: string, reason: string): Promise<void> {
  const order = await lockOrder(tx, orderId);
  if (!order || (order.status !== "PENDING" && order.status !== "AWAITING_PAYMENT")) return;
  await applySagaEvent(tx, emit, orderId, { type: "CANCELLED_BY_ADMIN", reason });
}
