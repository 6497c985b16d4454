import type { SqlExecutor } from "../../common/database/prismaOptions";
import { lockUntilCommit } from "../../common/database/advisoryLock";
import { ConflictError } from "../../common/errors";
import type { OrdersTx } from "../store/database";
import { unpaidTotals, type UnpaidScope } from "../store/orderStore";

/** How much one buyer (a customer, a guest email) and one client (guest orders) may hold unpaid. */
export interface UnpaidLimits {
  ordersPerBuyer: number;
  unitsPerBuyer: number;
  guestOrdersPerClient: number;
}

/**
 * Refuses an order that would take its buyer past the limits on unpaid orders (PENDING or
 * AWAITING_PAYMENT) and on the units they hold: unpaid orders reserve stock until their payment
 * window closes, so without a limit one buyer (or one client making up guest emails) could hold
 * a product's whole stock.
 *
 * A guest's scopes (email, then client, always in that order) are locked until commit, so
 * concurrent guest checkouts count one another exactly: guests are anonymous, the abuse this
 * guards against. A customer's checkouts are not serialised (one customer's concurrent checkouts
 * would each hold a pooled connection while they wait): a burst of concurrent checkouts of one
 * signed-in customer may pass the limit by the requests in flight, which the router's per-client
 * limits bound.
 */
export async function enforceUnpaidLimits(
  tx: OrdersTx,
  limits: UnpaidLimits,
  buyer: { customerId: string; guest: { email: string; clientKey: string } | null },
  units: number,
): Promise<void> {
  const scope: UnpaidScope = buyer.guest ? { guestEmail: buyer.guest.email } : { customerId: buyer.customerId };
  if (buyer.guest) await lockUntilCommit(tx, `orders:unpaid:${JSON.stringify(scope)}`);
  const held = await unpaidTotals(tx, scope);
  if (held.orders >= limits.ordersPerBuyer) {
    throw new ConflictError(
      `You have ${held.orders} orders waiting for payment: pay or cancel one before placing another.`,
    );
  }
  if (held.units + units > limits.unitsPerBuyer) {
    throw new ConflictError(
      `Orders waiting for payment may hold at most ${limits.unitsPerBuyer} units: this order would make ${held.units + units}.`,
      "items",
    );
  }
  if (!buyer.guest) return;
  const client: UnpaidScope = { clientKey: buyer.guest.clientKey };
  await lockUntilCommit(tx, `orders:unpaid:${JSON.stringify(client)}`);
  if ((await unpaidTotals(tx, client)).orders >= limits.guestOrdersPerClient) {
    throw new ConflictError("Too many guest orders from this client are waiting for payment: pay for one first.");
  }
}

/**
 * Locks a guest's scopes (their email, then their client: the order `enforceUnpaidLimits` takes
 * them in) until commit, so that the statement placing the order counts concurrent guest
 * checkouts exactly.
 */
export async function lockGuestScopes(tx: SqlExecutor, guest: { email: string; clientKey: string }): Promise<void> {
  await lockUntilCommit(tx, `orders:unpaid:${JSON.stringify({ guestEmail: guest.email })}`);
  await lockUntilCommit(tx, `orders:unpaid:${JSON.stringify({ clientKey: guest.clientKey })}`);
}

/** The error of a limit the statement placing an order found reached (the same as `enforceUnpaidLimits`'s). */
export function unpaidLimitError(
  refusal: "ORDERS_HELD" | "UNITS_HELD" | "CLIENT_ORDERS_HELD",
  limits: UnpaidLimits,
  held: { orders: number; units: number },
  units: number,
): ConflictError {
  switch (refusal) {
    case "ORDERS_HELD":
      return new ConflictError(
        `You have ${held.orders} orders waiting for payment: pay or cancel one before placing another.`,
      );
    case "UNITS_HELD":
      return new ConflictError(
        `Orders waiting for payment may hold at most ${limits.unitsPerBuyer} units: this order would make ${held.units + units}.`,
        "items",
      );
    case "CLIENT_ORDERS_HELD":
      return new ConflictError("Too many guest orders from this client are waiting for payment: pay for one first.");
  }
}
