import type DataLoader from "dataloader";
import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import { toMoney } from "../../common/money";
import { randomUUID } from "node:crypto";
import { violatesUnique } from "../../common/database/uniqueViolation";
import { findCartItems, emptyCart } from "../store/cartStore";
import { claimOrderRequest, findOrderRequest, findOrdersByIds, insertOrder } from "../store/orderStore";
import type { OrderRecord, ShippingAddressSnapshot } from "../store/records";
import { viewProducts, type CatalogViewDependencies } from "./catalogView";
import { validateCheckout, type CheckoutRequest, type PlaceOrderFields } from "./checkoutInput";
import { newOrderNumber } from "./orderNumber";
import { statusChangedEvent } from "./orderEvents";

/** A customer as the users subgraph describes them to a direct lookup: their saved addresses. */
export interface CustomerEntity {
  id: string;
  name: string;
  addresses: Array<{ id: string; line1: string; line2: string | null; city: string; region: string | null; postalCode: string; country: string }>;
}

export interface PlaceOrderDependencies extends CatalogViewDependencies {
  customers: DataLoader<string, CustomerEntity | null>;
  paymentWindowSeconds: number;
}

async function existingOrder(deps: PlaceOrderDependencies, customerId: string, request: CheckoutRequest): Promise<OrderRecord | null> {
  const claimed = await findOrderRequest(deps.db, customerId, request.idempotencyKey);
  if (!claimed) return null;
  if (claimed.requestHash !== request.hash) {
    throw new ConflictError("This idempotency key was already used for a different order.", "idempotencyKey");
  }
  const [order] = await findOrdersByIds(deps.db, [claimed.orderId]);
  return order ?? null;
}

async function shippingAddressFor(deps: PlaceOrderDependencies, customerId: string, request: CheckoutRequest): Promise<ShippingAddressSnapshot> {
  if (request.shippingAddress) return request.shippingAddress;
  const customer = await deps.customers.load(customerId);
  const address = customer?.addresses.find((each) => each.id === request.shippingAddressId);
  if (!customer || !address) throw new NotFoundError("You have no saved address with this id.", "shippingAddressId");
  const { id: _id, ...fields } = address;
  return { name: customer.name, ...fields };
}

/**
 * Places an order: it answers at once with the order PENDING, while stock and payment follow
 * over events. The same idempotency key from the same customer always returns the same order,
 * also when the requests race; the same key with a different request is CONFLICT.
 */
export async function placeOrder(deps: PlaceOrderDependencies, customerId: string, input: PlaceOrderFields): Promise<OrderRecord> {
  const request = validateCheckout(input);
  const repeated = await existingOrder(deps, customerId, request);
  if (repeated) return repeated;

  const lines = request.items ?? (await findCartItems(deps.db, customerId)).map(({ productId, quantity }) => ({ productId, quantity }));
  if (lines.length === 0) throw new BadUserInputError("The cart is empty: add items to it, or give `items`.", "items");
  const products = await viewProducts(deps, lines.map((line) => line.productId), { availability: false });
  const priced = lines.map((line, index) => {
    const product = products.get(line.productId);
    if (!product) throw new NotFoundError(`No product has the id ${line.productId}.`, `items.${index}.productId`);
    if (product.archived) throw new BadUserInputError(`${product.name} is no longer for sale.`, `items.${index}.productId`);
    return { ...line, productName: product.name, unitPriceMinor: product.priceMinor, currency: product.currency };
  });
  const currency = priced[0]!.currency;
  if (priced.some((line) => line.currency !== currency)) throw new BadUserInputError("All items of an order must be priced in one currency.", "items");
  const shippingAddress = await shippingAddressFor(deps, customerId, request);
  const subtotalMinor = priced.reduce((sum, line) => sum + line.unitPriceMinor * BigInt(line.quantity), 0n);
  const orderId = randomUUID();

  try {
    const outcome = await deps.unitOfWork(async (tx, emit) => {
      // Waits for a concurrent request with the same key to commit, then sees its claim.
      if (!(await claimOrderRequest(tx, { customerId, idempotencyKey: request.idempotencyKey, requestHash: request.hash, orderId }))) return null;
      const order = await insertOrder(tx, {
        id: orderId,
        number: newOrderNumber(),
        customerId,
        currency,
        subtotalMinor,
        totalMinor: subtotalMinor,
        shippingAddress,
        paymentToken: request.paymentToken,
        paymentDeadline: new Date(Date.now() + deps.paymentWindowSeconds * 1000),
        lines: priced.map(({ productId, productName, quantity, unitPriceMinor }) => ({ productId, productName, quantity, unitPriceMinor })),
      });
      if (!request.items) await emptyCart(tx, customerId);
      emit("orders.order.placed", {
        orderId: order.id,
        number: order.number,
        customerId,
        lines: priced.map(({ productId, quantity, unitPriceMinor }) => ({ productId, quantity, unitPrice: toMoney(unitPriceMinor, currency) })),
        total: toMoney(order.totalMinor, currency),
      });
      emit("orders.order.status_changed", statusChangedEvent(order, priced, null, "order placed"));
      return order;
    });
    return outcome ?? (await existingOrder(deps, customerId, request))!;
  } catch (error) {
    // Two orders drew the same number (about one chance in a trillion): try once more.
    if (violatesUnique(error, "number")) return placeOrder(deps, customerId, input);
    throw error;
  }
}
