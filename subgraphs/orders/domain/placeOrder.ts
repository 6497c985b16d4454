import type DataLoader from "dataloader";
import type { SqlExecutor } from "../../common/database/prismaOptions";
import { takeEmitted, type Emit, type UnitOfWork } from "../../common/events/unitOfWork";
import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import { toMoney } from "../../common/money";
import { createHash, randomUUID } from "node:crypto";
import { violatesUnique } from "../../common/database/uniqueViolation";
import { findCart, type CartOwner } from "../store/cartStore";
import {
  claimOrderAndLockCart,
  findOrder,
  placeOrderAtOnce,
  placeOrderRows,
  readCheckout,
  readClaim,
  type OrderPlacement,
  type PlacementOutcome,
} from "../store/checkoutSql";
import type { NewOrder } from "../store/orderStore";
import type { OrderRecord, ShippingAddressSnapshot } from "../store/records";
import type { CatalogViewDependencies } from "./catalogView";
import { cartGone, guestCartOwner } from "./cartAccess";
import {
  validateCheckout,
  validateGuestCheckout,
  type CheckoutRequest,
  type PlaceGuestOrderFields,
  type PlaceOrderFields,
} from "./checkoutInput";
import { lockGuestScopes, unpaidLimitError, type UnpaidLimits } from "./unpaidLimits";
import { priceLines, requestedFromCart } from "./orderLines";
import { checkOrderLimits } from "./orderLimits";
import { newOrderNumber } from "./orderNumber";
import { statusChangedEvent, type StatusEventOrder } from "./orderEvents";
import type { PostalAddress } from "../../common/postalAddress";
import { priceWithConfiguration, requireOrderable } from "./pricing/checkoutPricing";
import { holdDiscountUses, orderPricing, PromotionExhaustedError } from "./pricing/orderPricing";
import { discountBuyerKey } from "./pricing/buyerKey";

/** A customer as the users subgraph describes them to a direct lookup: their saved addresses. */
export interface CustomerEntity {
  id: string;
  name: string;
  addresses: Array<Required<PostalAddress> & { id: string }>;
}

export interface PlaceOrderDependencies extends CatalogViewDependencies {
  customers: DataLoader<string, CustomerEntity | null>;
  paymentWindowSeconds: number;
  unpaidLimits: UnpaidLimits;
  /** The client's address (through trusted proxies): guest orders are limited per client too. */
  clientAddress: string;
}

/**
 * Who places an order. `customerId` owns the order and its idempotency keys: the customer, or for
 * a guest its cart's id (no account has it), until the order is attached to the account that
 * verifies the guest's email.
 */
export interface Buyer {
  customerId: string;
  cart: CartOwner;
  guest: { email: string; clientKey: string } | null;
}

/** The order an earlier request with the key placed; CONFLICT when that request was another. */
async function repeatedOrder(
  deps: PlaceOrderDependencies,
  claimed: { requestHash: string; orderId: string },
  request: CheckoutRequest,
): Promise<OrderRecord | null> {
  if (claimed.requestHash !== request.hash) {
    throw new ConflictError("This idempotency key was already used for a different order.", "idempotencyKey");
  }
  return findOrder(deps.db, claimed.orderId);
}

/** The order of a key another request claimed meanwhile (read after that request committed). */
async function existingOrder(
  deps: PlaceOrderDependencies,
  customerId: string,
  request: CheckoutRequest,
): Promise<OrderRecord | null> {
  const claim = await readClaim(deps.db, { customerId, idempotencyKey: request.idempotencyKey });
  return claim ? repeatedOrder(deps, claim, request) : null;
}

async function shippingAddressFor(
  deps: PlaceOrderDependencies,
  customerId: string,
  request: CheckoutRequest,
): Promise<ShippingAddressSnapshot> {
  if (request.shippingAddress) return request.shippingAddress;
  const customer = await deps.customers.load(customerId);
  const address = customer?.addresses.find((each) => each.id === request.shippingAddressId);
  if (!customer || !address) throw new NotFoundError("You have no saved address with this id.", "shippingAddressId");
  const { id: _id, ...fields } = address;
  return { name: customer.name, ...fields };
}

/** How often a cart checkout is tried again when the cart changed while it was being priced. */
export const maxCartCheckoutAttempts = 3;

/** Thrown inside the unit of work, having written nothing, when another request claimed the key: its order is the answer. */
class ClaimedElsewhere extends Error {
  constructor() {
    super("another request claimed the idempotency key");
  }
}

/** Thrown inside the unit of work, to roll it back, when the locked cart is not the cart priced. */
class CartChangedError extends Error {
  constructor() {
    super("the cart changed while it was being checked out");
  }
}

const emptyCartError = () => new BadUserInputError("The cart is empty: add items to it, or give `items`.", "items");

/**
 * Places an order: it answers at once with the order PENDING, while stock and payment follow
 * over events. The same idempotency key from the same customer always returns the same order,
 * also when the requests race; the same key with a different request is CONFLICT.
 *
 * A cart checkout prices the cart's lines before its transaction (a transaction never waits for
 * a second connection of the pool), then locks the cart and orders it only if it still holds
 * exactly those lines: a line added or changed meanwhile is priced again, in a new attempt, and a
 * cart another checkout emptied meanwhile is empty. The cart is emptied under that lock, so no
 * line is ever removed from it without being ordered.
 */
export function placeOrder(
  deps: PlaceOrderDependencies,
  customerId: string,
  input: PlaceOrderFields,
): Promise<OrderRecord> {
  const request = validateCheckout(input);
  return withRetries(() =>
    attemptOrder(deps, { customerId, cart: { kind: "customer", customerId }, guest: null }, request),
  );
}

/**
 * A guest's order from its cart (`placeGuestOrder`), placed as a customer's is: the email and
 * addresses the input leaves out come from the cart's buyer identity. Only a card token pays
 * (a guest has no saved methods).
 */
export async function placeGuestOrder(
  deps: PlaceOrderDependencies,
  input: PlaceGuestOrderFields,
): Promise<OrderRecord> {
  const cart = await guestCartOwner(deps.db, input.cartToken);
  if (cart.kind !== "guest") throw cartGone();
  const contents = await findCart(deps.db, cart);
  if (!contents) throw cartGone();
  const request = validateGuestCheckout(input, contents.buyer);
  const clientKey = createHash("sha256").update(deps.clientAddress).digest("hex");
  return withRetries(() =>
    attemptOrder(deps, { customerId: cart.cartId, cart, guest: { email: request.email, clientKey } }, request),
  );
}

async function withRetries(attempt: () => Promise<OrderRecord>): Promise<OrderRecord> {
  let cartAttempts = 0;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      // A promotion ran out between pricing and placing: price again without it.
      if (error instanceof PromotionExhaustedError && cartAttempts + 1 < maxCartCheckoutAttempts) {
        cartAttempts += 1;
        continue;
      }
      if (error instanceof CartChangedError) {
        cartAttempts += 1;
        if (cartAttempts < maxCartCheckoutAttempts) continue;
        throw new ConflictError("The cart kept changing while it was being checked out: please try again.", "items");
      }
      // Two orders drew the same number (about one chance in a trillion): try once more.
      if (violatesUnique(error, "number")) continue;
      throw error;
    }
  }
}

/**
 * One try at placing the order. Before it is written: one statement reads the key's claim, the
 * cart's lines, version and choices and their variants, and the shop's pricing configuration for
 * the checkout's codes, destination and buyer; the lines are priced with it. Then a customer's order holding no discount use is placed
 * by one statement with no transaction around it (`placeOrderAtOnce`: the cart locked as it was
 * read, the checks, the claim, every row, the cart emptied, the events). A guest's, or one that
 * holds discount uses (their rows locked and counted, which may refuse it), takes a transaction:
 * one statement claims the key and locks the cart, one checks the cart and the unpaid limits and
 * writes the order with its lines, pricing and first status and empties the cart, then the
 * discounts' uses and the events.
 */
async function attemptOrder(
  deps: PlaceOrderDependencies,
  buyer: Buyer,
  request: CheckoutRequest,
): Promise<OrderRecord> {
  const { customerId } = buyer;
  const cartOwner = request.items ? null : buyer.cart;
  // The address first (a saved one is the users service's answer): its country picks the tax
  // rates the read brings. A failure to find it is thrown where it always was, after the key's
  // claim and the lines' pricing (a repeated request answers its order all the same).
  const address = await shippingAddressFor(deps, customerId, request).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  // A guest's per-customer discount uses count by their email.
  const buyerKey = discountBuyerKey({ customerId, guestEmail: buyer.guest?.email ?? null })!;
  const now = new Date();
  // One statement: the claim, the cart with its choices and variants, and the shop's pricing
  // configuration for the codes the request or else the cart's choices name.
  const read = await readCheckout(deps.db, {
    customerId,
    idempotencyKey: request.idempotencyKey,
    cart: cartOwner,
    pricing: {
      codes: request.discountCodes,
      country: "value" in address ? address.value.country : null,
      buyerKey,
      now,
    },
  });
  if (read.claim) {
    const repeated = await repeatedOrder(deps, read.claim, request);
    if (repeated) return repeated;
  }

  const cartLines = cartOwner ? read.lines : null;
  const requested = request.items ?? requestedFromCart(cartLines!);
  if (requested.length === 0) throw emptyCartError();
  const { currency, lines, subtotalMinor, pricingLines } = await priceLines(deps, requested, read.variants);
  if ("error" in address) throw address.error;
  const shippingAddress = address.value;
  // Priced as the cart is (the same function, its codes and method unless the request names
  // others), with the configuration the read brought (for these codes: see `readCheckout`).
  const choices = cartLines?.length ? (read.choices ?? { shippingMethodId: null, discountCodes: [] }) : null;
  const priced = priceWithConfiguration(read.pricing(currency), {
    currency,
    lines: pricingLines,
    destination: { country: shippingAddress.country, region: shippingAddress.region ?? null },
    shippingMethodId: request.shippingMethodId ?? choices?.shippingMethodId ?? null,
    codes: request.discountCodes ?? choices?.discountCodes ?? [],
    buyerKey,
    now,
  });
  requireOrderable(priced, {
    country: request.shippingAddress ? "shippingAddress.country" : "shippingAddressId",
    shippingMethodId: "shippingMethodId",
    discountCodes: "discountCodes",
  });
  // What the customer pays, shipping, discounts and tax included, must be payable.
  checkOrderLimits(lines, { amountMinor: priced.totalMinor, currency });
  const orderId = randomUUID();
  const units = lines.reduce((sum, line) => sum + line.quantity, 0);
  const createdAt = new Date();
  const newOrder: NewOrder = {
    id: orderId,
    number: newOrderNumber(),
    customerId,
    currency,
    subtotalMinor,
    ...orderPricing(priced),
    shippingAddress,
    paymentToken: request.paymentToken ?? "",
    paymentMethodId: request.paymentMethodId,
    paymentDeadline: new Date(createdAt.getTime() + deps.paymentWindowSeconds * 1000),
    guestEmail: buyer.guest?.email ?? null,
    clientKey: buyer.guest?.clientKey ?? null,
    billingAddress: request.billingAddress,
    lines,
  };
  const cart = cartOwner && read.cartId ? { id: read.cartId, lines: cartLines! } : null;
  if (cartOwner && !cart) throw cartOwner.kind === "guest" ? cartGone() : emptyCartError();
  const placement: OrderPlacement = { order: newOrder, cart, limits: deps.unpaidLimits, createdAt };
  // The order as its first events tell it (the statement writes it so: PENDING, at `createdAt`).
  const told: StatusEventOrder = {
    ...newOrder,
    status: "PENDING",
    cancellationReason: null,
    carrier: null,
    trackingNumber: null,
    updatedAt: createdAt,
    guestEmail: newOrder.guestEmail ?? null,
    attachedAt: null,
  };
  const emitPlaced = (emit: Emit) => {
    emit("orders.order.placed", {
      orderId,
      number: newOrder.number,
      customerId,
      lines: lines.map(({ productId, variantId, quantity, unitPriceMinor }) => ({
        productId,
        variantId,
        quantity,
        unitPrice: toMoney(unitPriceMinor, currency),
      })),
      total: toMoney(newOrder.totalMinor, currency),
      shipping: priced.shippingMethod
        ? { method: priced.shippingMethod.name, amount: toMoney(priced.shippingMinor, currency) }
        : null,
      subtotal: toMoney(subtotalMinor, currency),
      discount: toMoney(priced.discountMinor, currency),
      tax: toMoney(priced.taxMinor, currency),
    });
    emit("orders.order.status_changed", statusChangedEvent(told, lines, null, "order placed"));
  };
  const placed = (result: PlacementOutcome): OrderRecord => {
    if ("placed" in result) return result.placed;
    if ("claimedElsewhere" in result) throw new ClaimedElsewhere();
    if (result.refusal === "EMPTY_CART") throw emptyCartError();
    if (result.refusal === "CART_CHANGED") throw new CartChangedError();
    throw unpaidLimitError(
      result.refusal,
      deps.unpaidLimits,
      { orders: result.heldOrders, units: result.heldUnits },
      units,
    );
  };

  const unitOfWork: UnitOfWork<SqlExecutor> = deps.sqlUnitOfWork ?? deps.unitOfWork;
  try {
    // A customer's order that holds no discount use: one statement, no transaction.
    if (!buyer.guest && priced.discounts.length === 0) {
      return await unitOfWork(
        async (db, emit) => {
          emitPlaced(emit);
          const claim = { idempotencyKey: request.idempotencyKey, requestHash: request.hash };
          const events = takeEmitted(emit);
          return placed(await placeOrderAtOnce(db, { ...placement, claim, cartVersion: read.cartVersion, events }));
        },
        { singleStatement: true },
      );
    }
    return await unitOfWork(async (tx, emit) => {
      // Waits for a concurrent request with the same key to commit, then sees its claim; changes
      // to the cart queue behind its lock until the order is placed and the cart emptied.
      const { claimed, cartId } = await claimOrderAndLockCart(tx, {
        customerId,
        idempotencyKey: request.idempotencyKey,
        requestHash: request.hash,
        orderId,
        cart: cartOwner,
      });
      if (!claimed) throw new ClaimedElsewhere();
      if (cartOwner && !cartId) throw cartOwner.kind === "guest" ? cartGone() : emptyCartError();
      if (buyer.guest) await lockGuestScopes(tx, buyer.guest);
      const order = placed(await placeOrderRows(tx, { ...placement, cart: cart && { ...cart, id: cartId! } }));
      emitPlaced(emit);
      // Last, so the discount's row stays locked for as short a time as possible: racing checkouts queue on it.
      await holdDiscountUses(tx, priced, buyerKey);
      return order;
    });
  } catch (error) {
    if (error instanceof ClaimedElsewhere) return (await existingOrder(deps, customerId, request))!;
    throw error;
  }
}
