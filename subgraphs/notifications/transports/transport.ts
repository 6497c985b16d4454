import type { NotificationChannel } from "../generated/prisma/client";

/** One message ready to go out on one channel. */
export interface OutgoingMessage {
  /**
   * The notification's id. A message sent again (its bookkeeping was lost after it went out)
   * carries the same id, so that a channel or a receiver can tell the repeat.
   */
  id: string;
  channel: NotificationChannel;
  /** An email address, a phone number or a device; what the channel needs. */
  recipient: string;
  subject: string;
  text: string;
  html?: string | null;
}

/**
 * How messages leave the system on one channel. `send` resolves once the channel has taken the
 * message, and throws when it has not (the message is then retried).
 */
export interface NotificationTransport {
  send(message: OutgoingMessage): Promise<void>;
}

/** The transports of the channels that leave the system (in-app notifications need none). */
export type Transports = Record<Exclude<NotificationChannel, "IN_APP">, NotificationTransport>;
