import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Emit, UnitOfWork } from "../../../common/events/unitOfWork";
import type { OrdersTx } from "../../store/database";
import {
  claimCarrierEvent,
  findFulfillmentsOfOrders,
  findTrackedFulfillment,
  saveFulfillmentStatus,
} from "../../store/fulfillmentStore";
import { findItemsOfOrders, lockOrder } from "../../store/orderStore";
import { guestAddress, lineName } from "../orderEvents";
import { applySagaEvent } from "../orderTransitions";
import { carrierStatuses, decideTracking } from "./tracking";

/** The header a carrier signs its events in: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const carrierSignatureHeader = "x-carrier-signature";

/** The signature of a body at a time, as a carrier computes it (and tests do). */
export function signCarrierEvent(secret: string, body: string | Buffer, timestamp: number): string {
  const mac = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
  return `t=${timestamp},v1=${mac}`;
}

/**
 * Whether the header signs this body with the secret, within `toleranceSeconds` of now: a
 * captured request replayed later is refused even before its event id is looked at.
 */
export function verifyCarrierSignature(
  secret: string,
  body: Buffer,
  header: string | undefined,
  toleranceSeconds: number,
  now = Date.now(),
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(",").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get("t"));
  const given = parts.get("v1") ?? "";
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(given)) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = signCarrierEvent(secret, body, timestamp).split("v1=")[1]!;
  return timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(given, "hex"));
}

/** The generic JSON a carrier posts: one tracking event of one parcel. */
export const carrierEventBody = z.object({
  /** The carrier's id of this event: the same id twice is applied once. */
  eventId: z.string().min(1).max(200),
  /** Our fulfillment id, when the carrier was given it; otherwise the tracking number names the parcel. */
  shipmentId: z.uuid().optional(),
  trackingNumber: z.string().min(1).max(100),
  status: z.enum(carrierStatuses),
  /** When it happened, at the carrier. */
  occurredAt: z.iso.datetime({ offset: true }),
});
export type CarrierEventBody = z.infer<typeof carrierEventBody>;

export type CarrierEventOutcome = "applied" | "duplicate" | "stale" | "unknown-shipment";

async function applyCarrierEvent(
  tx: OrdersTx,
  emit: Emit,
  carrier: { id: string; code: string },
  event: CarrierEventBody,
): Promise<CarrierEventOutcome> {
  if (!(await claimCarrierEvent(tx, carrier.code, event.eventId))) return "duplicate";
  const found = await findTrackedFulfillment(tx, {
    fulfillmentId: event.shipmentId ?? null,
    carrierId: carrier.id,
    trackingNumber: event.trackingNumber,
  });
  if (!found) return "unknown-shipment";
  const order = await lockOrder(tx, found.orderId);
  if (!order) return "unknown-shipment";
  // Read again under the order's lock: two events of one parcel are applied one after the other.
  const fulfillment = (await tx.fulfillment.findUnique({ where: { id: found.id } }))!;
  const at = new Date(event.occurredAt);
  const decision = decideTracking(fulfillment, { status: event.status, at });
  if (decision.kind === "ignore") return "stale";
  const saved = await saveFulfillmentStatus(tx, fulfillment.id, {
    status: decision.status,
    statusAt: at,
    ...(decision.status === "DELIVERED" ? { deliveredAt: at } : {}),
  });
  let orderStatus = order.status;
  if (decision.status === "DELIVERED" && order.status === "SHIPPED") {
    const parcels = await findFulfillmentsOfOrders(tx, [order.id]);
    if (parcels.every((parcel) => parcel.status === "DELIVERED")) {
      const moved = await applySagaEvent(tx, emit, order.id, {
        type: "DELIVERED",
        reason: "every parcel delivered",
        fields: { deliveredAt: at },
      });
      orderStatus = moved?.order.status ?? orderStatus;
    }
  }
  const items = new Map((await findItemsOfOrders(tx, [order.id])).map((item) => [item.id, item]));
  emit("orders.fulfillment.updated", {
    orderId: order.id,
    fulfillmentId: saved.id,
    customerId: order.customerId,
    number: order.number,
    status: saved.status,
    carrierName: saved.carrierName,
    trackingNumber: saved.trackingNumber,
    trackingUrl: saved.trackingUrl,
    lines: saved.lines.map((line) => {
      const item = items.get(line.orderItemId)!;
      return {
        orderItemId: item.id,
        productId: item.productId,
        variantId: item.variantId,
        name: lineName(item),
        quantity: line.quantity,
      };
    }),
    orderStatus,
    at: at.toISOString(),
    ...guestAddress(order),
  });
  return "applied";
}

/**
 * A carrier's signed tracking event: refused (nothing changes) when the signature does not hold or
 * is stale, applied once by its event id, and moving the parcel and, once every parcel is
 * delivered, the order.
 */
export async function receiveCarrierEvent(
  deps: { unitOfWork: UnitOfWork<OrdersTx>; secrets: ReadonlyMap<string, string>; toleranceSeconds: number },
  carrierCode: string,
  body: Buffer,
  signature: string | undefined,
): Promise<CarrierEventOutcome | "no-such-carrier" | "rejected" | "malformed"> {
  const secret = deps.secrets.get(carrierCode);
  if (!secret) return "no-such-carrier";
  if (!verifyCarrierSignature(secret, body, signature, deps.toleranceSeconds)) return "rejected";
  let parsed: CarrierEventBody;
  try {
    parsed = carrierEventBody.parse(JSON.parse(body.toString("utf8")));
  } catch {
    return "malformed";
  }
  return deps.unitOfWork(async (tx, emit) => {
    const carrier = await tx.carrier.findUnique({ where: { code: carrierCode } });
    if (!carrier) return "unknown-shipment";
    return applyCarrierEvent(tx, emit, carrier, parsed);
  });
}
