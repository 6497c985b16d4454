import { DeliveryStatus as DeliveryStatusColumn } from "../generated/prisma/client";

/**
 * A message's delivery as an explicit state machine: one table of what each outcome of a try
 * does in each status. A notification is created PENDING (to be sent), SENT (in-app) or SKIPPED
 * (the user's preferences say no); after that, every status it takes is decided here and
 * written by the notification store.
 */
export const deliveryStatuses = Object.values(DeliveryStatusColumn);
export type DeliveryStatus = DeliveryStatusColumn;

/** The outcomes of one try at sending a message. */
export const deliveryEventTypes = [
  "SENT",
  /** The channel did not take it; another try is allowed. */
  "SEND_FAILED",
  /** The channel did not take it, and that was the last try. */
  "LAST_SEND_FAILED",
  /** There is nowhere to send it any more (the user's last push device was removed meanwhile). */
  "NO_RECIPIENT",
] as const;
export type DeliveryEventType = (typeof deliveryEventTypes)[number];

export type DeliveryDecision =
  | { kind: "transition"; to: DeliveryStatus }
  /** The message stays PENDING, due again later. */
  | { kind: "stay" }
  | { kind: "ignore" };

const transitions: Record<DeliveryStatus, Partial<Record<DeliveryEventType, DeliveryDecision>>> = {
  PENDING: {
    SENT: { kind: "transition", to: "SENT" },
    SEND_FAILED: { kind: "stay" },
    LAST_SEND_FAILED: { kind: "transition", to: "FAILED" },
    NO_RECIPIENT: { kind: "transition", to: "SKIPPED" },
  },
  SENT: {},
  FAILED: {},
  SKIPPED: {},
};

/** What an outcome does to a message in `status`. */
export function decideDelivery(status: DeliveryStatus, event: DeliveryEventType): DeliveryDecision {
  return transitions[status][event] ?? { kind: "ignore" };
}
