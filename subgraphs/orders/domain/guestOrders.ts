import { issueGuestOrderAccessToken, type GuestOrderAccessKeys } from "../../common/auth/guestOrderAccess";
import { NotFoundError } from "../../common/errors";
import type { Emit } from "../../common/events/unitOfWork";
import { emailAddress } from "../../common/validation";
import type { WindowLimit, WindowLimiter } from "../../common/windowLimiter";
import type { OrdersReader, OrdersTx } from "../store/database";
import { attachGuestOrders, findGuestOrder } from "../store/orderStore";
import type { OrderRecord } from "../store/records";

export interface GuestLookupDependencies {
  db: OrdersReader;
  limiter: WindowLimiter;
  clientAddress: string;
  limits: { guestOrderLookups: WindowLimit; guestOrderLookupsPerOrder: WindowLimit };
}

const notFound = () => new NotFoundError("No order has this number and email.");

/**
 * `guestOrder`: a guest's order by its number and email. Every miss answers the same NOT_FOUND
 * (a wrong number, a wrong email, a malformed email, a customer's order), so the answer tells
 * nothing about which half was wrong. Limited per client and per order number, so neither
 * numbers nor the email of a known number can be guessed.
 */
export async function lookUpGuestOrder(
  deps: GuestLookupDependencies,
  number: string,
  email: string,
): Promise<OrderRecord> {
  const message = "Too many order look-ups.";
  await deps.limiter.take(deps.limits.guestOrderLookups, deps.clientAddress, message);
  const normalizedNumber = number.trim().toUpperCase().slice(0, 40);
  await deps.limiter.take(deps.limits.guestOrderLookupsPerOrder, normalizedNumber, message);
  let normalizedEmail: string;
  try {
    normalizedEmail = emailAddress(email);
  } catch {
    throw notFound();
  }
  const order = await findGuestOrder(deps.db, normalizedNumber, normalizedEmail);
  if (!order) throw notFound();
  return order;
}

/**
 * The account `userId` proved it receives mail at `email`: the guest orders placed with that
 * email become its orders (`me.orders`). Each attachment is announced, so the services that keep
 * the order's owner (payments) follow. Orders already attached are left alone.
 */
export async function attachVerifiedGuestOrders(
  tx: OrdersTx,
  emit: Emit,
  userId: string,
  email: string,
): Promise<void> {
  const attached = await attachGuestOrders(tx, email.trim().toLowerCase(), userId);
  for (const order of attached) {
    emit("orders.order.customer_attached", {
      orderId: order.id,
      customerId: userId,
      previousCustomerId: order.previousCustomerId,
    });
  }
}

export interface GuestAccessDependencies {
  /** The shared secret guest access tokens are signed with (ROUTER_SIGNING_SECRET and its predecessor). */
  guestAccessKeys: GuestOrderAccessKeys;
  paymentWindowSeconds: number;
}

/** A guest's order as `placeGuestOrder` answers it: with the token that opens its payment. */
export type GuestPlacedOrder = OrderRecord & { guestAccessToken: string };

/** A token outlives the payment window by this much, so the guest also sees how the payment ended. */
const accessAfterPaymentWindowSeconds = 3600;

/**
 * The order with its guest access token (`Order.guestAccessToken`), which the payments service
 * checks to give the guest their payment and its 3-D Secure `nextAction`. Signed, not stored: it is
 * answered here only (a repeated request with the same idempotency key gets a fresh one).
 */
export function withGuestAccess(deps: GuestAccessDependencies, order: OrderRecord, now = new Date()): GuestPlacedOrder {
  const expiresAt = new Date(now.getTime() + (deps.paymentWindowSeconds + accessAfterPaymentWindowSeconds) * 1000);
  return { ...order, guestAccessToken: issueGuestOrderAccessToken(deps.guestAccessKeys, order.id, expiresAt) };
}

/** The token of an order answered by `placeGuestOrder`; null for an order read any other way. */
export function guestAccessTokenOf(order: OrderRecord | GuestPlacedOrder): string | null {
  return "guestAccessToken" in order ? order.guestAccessToken : null;
}
