import type { JetStreamClient, JetStreamManager } from "nats";
import { z } from "zod";
import type { ServiceName } from "../serviceNames";
import { parseEnvelope, type EventEnvelope } from "./envelope";
import { streamName, subjectOf } from "./streams";

/**
 * What a consumer publishes when it gives up on an event, on
 * `<namespace>.deadletter.<service>.<consumer>` (the `<NAMESPACE>_DEADLETTER` stream keeps them 30
 * days). The top-level fields say what the event was about without parsing it, so a service can
 * consume dead letters too (orders: a dead-lettered event about an order, by `orderId`), and an
 * admin can list and replay them (`npm run dead-letters`).
 */
export const deadLetterShape = z.object({
  /** The durable consumer that gave up, `<service>__<event type with underscores>`. */
  consumer: z.string(),
  /** The service that consumer belongs to. */
  service: z.string(),
  /** Why: the last error's message. */
  reason: z.string(),
  /** The same as `reason` (the field's former name, kept for readers of older dead letters). */
  error: z.string(),
  deliveries: z.number().int(),
  failedAt: z.iso.datetime(),
  /** The event's id, type and subject, when its envelope could be read. */
  eventId: z.string().optional(),
  eventType: z.string().optional(),
  subject: z.string().optional(),
  /** `data.orderId` of the event, when it has one: the order the failure is about. */
  orderId: z.string().optional(),
  /** The envelope as it was published, or the raw text of a message that was not one. */
  event: z.unknown(),
});

export type DeadLetter = z.infer<typeof deadLetterShape>;

/** The dead letter of `event` (or of a message that was no event, `raw`), failed with `error`. */
export function deadLetterOf(options: {
  namespace: string;
  service: ServiceName;
  consumer: string;
  deliveries: number;
  error: Error;
  event: EventEnvelope | undefined;
  raw: string;
}): DeadLetter {
  const { event } = options;
  const orderId = (event?.data as { orderId?: unknown } | undefined)?.orderId;
  return {
    consumer: options.consumer,
    service: options.service,
    reason: options.error.message,
    error: options.error.message,
    deliveries: options.deliveries,
    failedAt: new Date().toISOString(),
    ...(event ? { eventId: event.id, eventType: event.type, subject: subjectOf(options.namespace, event) } : {}),
    ...(typeof orderId === "string" ? { orderId } : {}),
    event: event ?? options.raw,
  };
}

/** A dead letter as the stream keeps it: its sequence number is its id for `show` and `replay`. */
export interface StoredDeadLetter {
  seq: number;
  subject: string;
  record: DeadLetter;
}

export function deadLetterStream(namespace: string): string {
  return streamName(namespace, "deadletter");
}

/** A dead letter as read off the stream; one written by an older version is read as far as it can be. */
export function decodeDeadLetter(seq: number, subject: string, data: Uint8Array): StoredDeadLetter {
  const text = new TextDecoder().decode(data);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const record = deadLetterShape.safeParse(parsed);
  if (record.success) return { seq, subject, record: record.data };
  // Not written by this version: shown as it is, with what can be read of it.
  const loose = (parsed ?? {}) as Partial<DeadLetter>;
  const reason = String(loose.reason ?? loose.error ?? "unknown");
  return {
    seq,
    subject,
    record: {
      consumer: String(loose.consumer ?? subject.split(".").pop()),
      service: String(loose.service ?? "unknown"),
      reason,
      error: reason,
      deliveries: Number(loose.deliveries ?? 0),
      failedAt: String(loose.failedAt ?? new Date(0).toISOString()),
      event: loose.event ?? text,
    },
  };
}

/** The dead letters kept, oldest first (at most `limit`, the newest). */
export async function listDeadLetters(
  jsm: JetStreamManager,
  namespace: string,
  limit = 100,
): Promise<StoredDeadLetter[]> {
  const stream = deadLetterStream(namespace);
  const { state } = await jsm.streams.info(stream);
  const found: StoredDeadLetter[] = [];
  for (let seq = state.last_seq; seq >= state.first_seq && seq > 0 && found.length < limit; seq -= 1) {
    const letter = await findDeadLetter(jsm, namespace, seq);
    if (letter) found.push(letter);
  }
  return found.reverse();
}

/** One dead letter by its sequence number; undefined when there is none (never, or replayed). */
export async function findDeadLetter(
  jsm: JetStreamManager,
  namespace: string,
  seq: number,
): Promise<StoredDeadLetter | undefined> {
  try {
    const message = await jsm.streams.getMessage(deadLetterStream(namespace), { seq });
    return decodeDeadLetter(message.seq, message.subject, message.data);
  } catch (error) {
    if (/no message found|not found/i.test((error as Error).message)) return undefined;
    throw error;
  }
}

/** Why a dead letter cannot be replayed. */
export class NotReplayableError extends Error {
  override name = "NotReplayableError";
}

/**
 * Publishes the dead letter's event again, as it was, to its subject, then removes the dead
 * letter. The envelope keeps its id, so every consumer that applied it already (idempotent
 * consumers record the ids they applied) ignores it, and the one that gave up applies it once.
 * The publication's own message id (`replay:<event id>:<seq>`) lets JetStream drop a second
 * replay of the same dead letter, and keeps the original id's de-duplication from dropping this one.
 */
export async function replayDeadLetter(
  js: JetStreamClient,
  jsm: JetStreamManager,
  namespace: string,
  seq: number,
): Promise<{ event: EventEnvelope; subject: string }> {
  const letter = await findDeadLetter(jsm, namespace, seq);
  if (!letter) throw new NotReplayableError(`There is no dead letter ${seq}.`);
  let event: EventEnvelope;
  try {
    event = parseEnvelope(letter.record.event);
  } catch (error) {
    throw new NotReplayableError(
      `Dead letter ${seq} holds no valid event, so it cannot be replayed: ${(error as Error).message}`,
    );
  }
  const subject = subjectOf(namespace, event);
  await js.publish(subject, JSON.stringify(event), { msgID: `replay:${event.id}:${seq}` });
  await jsm.streams.deleteMessage(deadLetterStream(namespace), seq);
  return { event, subject };
}
