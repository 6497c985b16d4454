import { recordAudit } from "../../../common/audit/recordAudit";
import type { Caller } from "../../../common/auth/caller";
import { BadUserInputError, ConflictError, NotFoundError } from "../../../common/errors";
import type { Emit, UnitOfWork } from "../../../common/events/unitOfWork";
import { requiredId, requiredText } from "../../../common/validation";
import type { OrdersTx } from "../../store/database";
import {
  countFulfillments,
  fulfilledUnits,
  insertFulfillment,
  type FulfillmentWithLines,
} from "../../store/fulfillmentStore";
import { findItemsOfOrders, lockOrder } from "../../store/orderStore";
import type { OrderRecord } from "../../store/records";
import { guestAddress, lineName } from "../orderEvents";
import { applySagaEvent } from "../orderTransitions";
import { trackingUrlOf } from "./carriers";
import { requireLocation } from "./locations";
import { maxFulfillmentsPerOrder, planLines, takesEverything, type LineQuantity } from "./linePlan";

export interface FulfillmentDependencies {
  unitOfWork: UnitOfWork<OrdersTx>;
  /** Who ships (the request's caller), for the audit log. */
  caller?: Caller | null;
}

/** How a parcel leaves: from where, with whom, and (null) which units: every unit left. */
interface Parcel {
  orderId: string;
  locationId: string | null;
  carrier: { id: string | null; name: string; trackingUrlTemplate: string | null };
  trackingNumber: string;
  lines: readonly LineQuantity[] | null;
}

/**
 * Ships a parcel of an order inside the caller's transaction: the lines are checked against what
 * is left to ship (never more than ordered minus fulfilled), the order moves to PARTIALLY_SHIPPED
 * or, with its last units, SHIPPED (CONFLICT in any other status), and
 * `orders.fulfillment.created` tells inventory what to deduct where.
 */
async function shipParcel(
  tx: OrdersTx,
  emit: Emit,
  parcel: Parcel,
  caller: Caller | null | undefined,
): Promise<{ order: OrderRecord; fulfillment: FulfillmentWithLines }> {
  const order = await lockOrder(tx, parcel.orderId);
  if (!order) throw new NotFoundError("No order has this id.", "orderId");
  if (order.status !== "CONFIRMED" && order.status !== "PARTIALLY_SHIPPED") {
    throw new ConflictError(
      `This order is ${order.status.replace("_", " ").toLowerCase()}; only a confirmed or partially shipped order ships.`,
    );
  }
  if ((await countFulfillments(tx, order.id)) >= maxFulfillmentsPerOrder)
    throw new ConflictError(`An order ships in at most ${maxFulfillmentsPerOrder} parcels.`);
  const items = await findItemsOfOrders(tx, [order.id]);
  const fulfilled = await fulfilledUnits(tx, order.id);
  const balances = items.map((item) => ({
    orderItemId: item.id,
    ordered: item.quantity,
    taken: fulfilled.get(item.id) ?? 0,
    limit: item.quantity,
  }));
  const lines =
    parcel.lines === null
      ? balances
          .filter((balance) => balance.taken < balance.ordered)
          .map((balance) => ({ orderItemId: balance.orderItemId, quantity: balance.ordered - balance.taken }))
      : planLines(parcel.lines, balances, "lines", "shipped");
  if (lines.length === 0) throw new ConflictError("Every unit of this order has shipped already.");
  const all = takesEverything(balances, lines);
  const fulfillment = await insertFulfillment(tx, {
    orderId: order.id,
    locationId: parcel.locationId,
    carrierId: parcel.carrier.id,
    carrierName: parcel.carrier.name,
    trackingNumber: parcel.trackingNumber,
    trackingUrl: parcel.carrier.trackingUrlTemplate
      ? trackingUrlOf(parcel.carrier.trackingUrlTemplate, parcel.trackingNumber)
      : null,
    lines,
  });
  const outcome = await applySagaEvent(tx, emit, order.id, {
    type: all ? "SHIPPED" : "PARTIALLY_SHIPPED",
    reason: `${all ? "shipped" : "partly shipped"} with ${parcel.carrier.name}, tracking number ${parcel.trackingNumber}`,
    // The order's own shipment is its first parcel (`Order.shipment`, kept for older clients).
    ...(order.shippedAt
      ? {}
      : {
          fields: {
            carrier: parcel.carrier.name,
            trackingNumber: parcel.trackingNumber,
            shippedAt: fulfillment.shippedAt,
          },
        }),
  });
  const now = outcome?.order ?? order;
  await recordAudit(tx, emit, "orders", caller, {
    entityType: "ORDER",
    entityId: order.id,
    action: all ? "order.shipped" : "order.partially_shipped",
    before: { status: order.status, carrier: order.carrier, trackingNumber: order.trackingNumber },
    after: {
      status: now.status,
      carrier: parcel.carrier.name,
      trackingNumber: parcel.trackingNumber,
      fulfillmentId: fulfillment.id,
      locationId: parcel.locationId,
    },
  });
  const itemById = new Map(items.map((item) => [item.id, item]));
  emit("orders.fulfillment.created", {
    orderId: order.id,
    fulfillmentId: fulfillment.id,
    customerId: order.customerId,
    number: order.number,
    locationId: fulfillment.locationId,
    carrierName: fulfillment.carrierName,
    trackingNumber: fulfillment.trackingNumber,
    trackingUrl: fulfillment.trackingUrl,
    lines: lines.map((line) => {
      const item = itemById.get(line.orderItemId)!;
      return {
        orderItemId: item.id,
        productId: item.productId,
        variantId: item.variantId,
        name: lineName(item),
        quantity: line.quantity,
      };
    }),
    orderStatus: now.status,
    at: fulfillment.createdAt.toISOString(),
    ...guestAddress(order),
  });
  return { order: now, fulfillment };
}

/** A parcel of chosen lines from a stock location with a configured carrier (back office). */
export async function createFulfillment(
  deps: FulfillmentDependencies,
  input: {
    orderId: string;
    locationId: string;
    carrierId: string;
    trackingNumber: string;
    lines: ReadonlyArray<{ orderItemId: string; quantity: number }>;
  },
): Promise<FulfillmentWithLines> {
  const orderId = requiredId(input.orderId, "orderId");
  const locationId = requiredId(input.locationId, "locationId");
  const carrierId = requiredId(input.carrierId, "carrierId");
  const trackingNumber = requiredText(input.trackingNumber, "trackingNumber", { max: 100 });
  return deps.unitOfWork(async (tx, emit) => {
    const carrier = await tx.carrier.findUnique({ where: { id: carrierId } });
    if (!carrier) throw new BadUserInputError("No carrier has this id.", "carrierId");
    if (!carrier.active) throw new BadUserInputError("This carrier is not active.", "carrierId");
    await requireLocation(tx, locationId, "locationId", { active: true });
    const { fulfillment } = await shipParcel(
      tx,
      emit,
      {
        orderId,
        locationId,
        carrier,
        trackingNumber,
        lines: input.lines,
      },
      deps.caller,
    );
    return fulfillment;
  });
}

/**
 * `shipOrder`'s one parcel: every unit left, from wherever it was reserved, with a carrier named
 * in words (a configured carrier of that name or code lends its id and tracking link).
 */
export async function shipEverythingLeft(
  deps: FulfillmentDependencies,
  input: { orderId: string; carrier: string; trackingNumber: string },
): Promise<OrderRecord> {
  const orderId = requiredId(input.orderId, "orderId");
  const carrierName = requiredText(input.carrier, "carrier", { max: 50 });
  const trackingNumber = requiredText(input.trackingNumber, "trackingNumber", { max: 100 });
  return deps.unitOfWork(async (tx, emit) => {
    const configured = await tx.carrier.findFirst({
      where: { OR: [{ code: carrierName.toLowerCase() }, { name: { equals: carrierName, mode: "insensitive" } }] },
    });
    const { order } = await shipParcel(
      tx,
      emit,
      {
        orderId,
        locationId: null,
        carrier: configured
          ? { id: configured.id, name: carrierName, trackingUrlTemplate: configured.trackingUrlTemplate }
          : { id: null, name: carrierName, trackingUrlTemplate: null },
        trackingNumber,
        lines: null,
      },
      deps.caller,
    );
    return order;
  });
}
