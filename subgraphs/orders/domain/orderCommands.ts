import type { Caller } from "../../common/auth/caller";
import { requireOwnerOrPermission } from "../../common/auth/guards";
import { hasPermission } from "../../common/auth/permissions";
import { recordAudit } from "../../common/audit/recordAudit";
import { NotFoundError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import { isUuid, optionalText } from "../../common/validation";
import type { OrdersTx } from "../store/database";
import { deliverAllFulfillments } from "../store/fulfillmentStore";
import { findOrdersByIds } from "../store/orderStore";
import type { OrderRecord } from "../store/records";
import { shipEverythingLeft } from "./fulfillment/createFulfillment";
import { applySagaEvent, type SagaEvent } from "./orderTransitions";

export interface OrderCommandDependencies {
  unitOfWork: UnitOfWork<OrdersTx>;
  /** Who asks (the request's caller), for the audit log of back-office changes. */
  caller?: Caller | null;
}

/** What the audit log keeps of an order: its status and shipment, nothing personal. */
function auditView(order: OrderRecord) {
  return {
    status: order.status,
    cancellationReason: order.cancellationReason,
    carrier: order.carrier,
    trackingNumber: order.trackingNumber,
  };
}

/**
 * Applies a command to an order; `audited` (a change by the back office) records it in the audit
 * log, in the same transaction, when it moved the order.
 */
async function command(
  deps: OrderCommandDependencies,
  orderId: string,
  event: SagaEvent,
  audited = true,
): Promise<OrderRecord> {
  const outcome = await deps.unitOfWork(async (tx, emit) => {
    const applied = await applySagaEvent(tx, emit, orderId, event);
    if (audited && applied?.kind === "moved") {
      await recordAudit(tx, emit, "orders", deps.caller, {
        entityType: "ORDER",
        entityId: orderId,
        action: `order.${event.type === "CANCELLED_BY_ADMIN" ? "cancelled" : event.type.toLowerCase()}`,
        before: { ...auditView(applied.order), status: applied.from, carrier: null, trackingNumber: null },
        after: auditView(applied.order),
      });
    }
    return applied;
  });
  if (!outcome) throw new NotFoundError("No order has this id.");
  return outcome.order;
}

/**
 * Cancels an order. Customers cancel their own; staff with ORDERS any. After shipping it is CONFLICT.
 * Inventory releases the stock and payments refunds a capture when they hear of it.
 */
export async function cancelOrder(
  deps: OrderCommandDependencies & { db: Parameters<typeof findOrdersByIds>[0] },
  caller: Caller,
  orderId: string,
  reason?: string | null,
): Promise<OrderRecord> {
  const [order] = isUuid(orderId) ? await findOrdersByIds(deps.db, [orderId]) : [];
  if (!order) throw new NotFoundError("No order has this id.");
  requireOwnerOrPermission(caller, order.customerId, "ORDERS", "this order");
  const byAdmin = hasPermission(caller, "ORDERS") && caller.userId !== order.customerId;
  const why = optionalText(reason, "reason", 500);
  return command(
    { ...deps, caller },
    order.id,
    {
      type: byAdmin ? "CANCELLED_BY_ADMIN" : "CANCELLED_BY_CUSTOMER",
      reason: why ?? (byAdmin ? "cancelled by the back office" : "cancelled by the customer"),
    },
    byAdmin,
  );
}

/**
 * Hands a CONFIRMED order to a carrier in one parcel of every unit left (back office), from
 * wherever its stock was reserved: the older, one-shipment way of `fulfillmentCreate`.
 */
export function shipOrder(
  deps: OrderCommandDependencies,
  input: { orderId: string; carrier: string; trackingNumber: string },
): Promise<OrderRecord> {
  return shipEverythingLeft(deps, input);
}

/** The back office says a SHIPPED order arrived: it and every parcel of it are delivered. */
export async function markOrderDelivered(deps: OrderCommandDependencies, orderId: string): Promise<OrderRecord> {
  if (!isUuid(orderId)) throw new NotFoundError("No order has this id.");
  const deliveredAt = new Date();
  const outcome = await deps.unitOfWork(async (tx, emit) => {
    const moved = await applySagaEvent(tx, emit, orderId, {
      type: "DELIVERED",
      reason: "delivered",
      fields: { deliveredAt },
    });
    if (moved?.kind === "moved") await deliverAllFulfillments(tx, orderId, deliveredAt);
    return moved;
  });
  if (!outcome) throw new NotFoundError("No order has this id.");
  return outcome.order;
}
