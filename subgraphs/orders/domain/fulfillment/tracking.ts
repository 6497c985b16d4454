import type { FulfillmentStatus } from "../../generated/prisma/client";

/** What a carrier can say of a parcel. */
export const carrierStatuses = ["IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED", "EXCEPTION"] as const;
export type CarrierStatus = (typeof carrierStatuses)[number];

export type TrackingDecision = { kind: "apply"; status: FulfillmentStatus } | { kind: "ignore"; why: string };

/**
 * What a carrier's word does to a parcel. Carriers deliver events late and out of order, so an
 * event older than the one the parcel's status came from changes nothing, and a delivered
 * parcel stays delivered. An exception can come at any point before delivery, and any later
 * event (back in transit, delivered) follows it.
 */
export function decideTracking(
  current: { status: FulfillmentStatus; statusAt: Date },
  incoming: { status: CarrierStatus; at: Date },
): TrackingDecision {
  if (current.status === "DELIVERED") return { kind: "ignore", why: "already delivered" };
  if (incoming.at.getTime() < current.statusAt.getTime()) return { kind: "ignore", why: "older than the status" };
  if (incoming.status === current.status) return { kind: "ignore", why: "no change" };
  return { kind: "apply", status: incoming.status };
}
