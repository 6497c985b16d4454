import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type StreamConfig } from "nats";
import { domainOf, eventDomains, type EventData, type EventType } from "./catalog";

const day = 24 * 60 * 60 * 1000;

/**
 * The subject of an event type (`<namespace>.<type>`). Events of a type with a subject detail
 * (below) are published one token deeper, on `<namespace>.<type>.<detail>`; this bare subject
 * then carries only events published before the detail existed (or by a replica not yet
 * upgraded), which consumers still take.
 */
export function subjectFor(namespace: string, type: EventType): string {
  return `${namespace}.${type}`;
}

/**
 * Event types published on a subject per value of one field, so that a consumer subscribes only
 * to the values it handles and no delivery is made only to be ignored: `orders.order.status_changed`
 * per status (`<namespace>.orders.order.status_changed.CONFIRMED`). The payload is the same.
 */
export const subjectDetails: { readonly [T in EventType]?: (data: EventData<T>) => string } = {
  "orders.order.status_changed": (data) => data.status,
};

/**
 * Subject details of events that no durable consumer takes: the statuses an order only passes
 * through in the checkout (its live subscribers hear of them from Redis, not from the stream).
 * They are published and stored all the same (ARCHITECTURE.md: every transition is published),
 * but without asking for the stream's acknowledgement: no one waits for them, and the
 * acknowledgement was a message per event for the server to send and the relay to wait for.
 * One lost to a NATS outage at that moment is missed by no consumer. A consumer that comes to
 * take one of them must first take it off this list (`EventConsumer` refuses it otherwise), so
 * that its events are published with the usual guarantee.
 */
export const unconsumedSubjectDetails: { readonly [T in EventType]?: readonly string[] } = {
  "orders.order.status_changed": ["PENDING", "AWAITING_PAYMENT"],
};

/** Whether an event is published on a subject that no durable consumer takes (`unconsumedSubjectDetails`). */
export function isUnconsumed(event: { type: EventType; data: unknown }): boolean {
  const unconsumed = unconsumedSubjectDetails[event.type];
  if (!unconsumed) return false;
  const detail = subjectDetails[event.type] as ((data: unknown) => string) | undefined;
  return detail !== undefined && unconsumed.includes(detail(event.data));
}

/** Whether events of `type` are published on a subject per detail. */
export function hasSubjectDetail(type: EventType): boolean {
  return subjectDetails[type] !== undefined;
}

/** The subject one event is published on: its type's, with its detail when the type has one. */
export function subjectOf(namespace: string, event: { type: EventType; data: unknown }): string {
  const detail = subjectDetails[event.type] as ((data: unknown) => string) | undefined;
  return detail ? `${subjectFor(namespace, event.type)}.${detail(event.data)}` : subjectFor(namespace, event.type);
}

export function streamFor(namespace: string, type: EventType): string {
  return streamName(namespace, domainOf(type));
}

export function streamName(namespace: string, domain: string): string {
  return `${namespace}_${domain}`.toUpperCase();
}

/**
 * Where a consumer's dead letters go: `<namespace>.deadletter.<service>.<consumer>`. The service
 * (the prefix of its consumers' names) is a subject token of its own, so NATS permissions can let
 * each service publish its own dead letters and no one else's.
 */
export function deadLetterSubject(namespace: string, consumer: string): string {
  const service = consumer.split("__")[0] ?? consumer;
  return `${namespace}.deadletter.${service}.${consumer}`;
}

function streamConfigs(namespace: string, replicas = 1): Array<Partial<StreamConfig> & { name: string }> {
  const common = {
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: replicas,
    // Re-publishing an outbox row within this window is recognised by its Nats-Msg-Id.
    duplicate_window: nanos(2 * 60 * 1000),
  };
  return [
    ...eventDomains.map((domain) => ({
      ...common,
      name: streamName(namespace, domain),
      subjects: [`${namespace}.${domain}.>`],
      max_age: nanos(7 * day),
    })),
    {
      ...common,
      name: streamName(namespace, "deadletter"),
      subjects: [`${namespace}.deadletter.>`],
      max_age: nanos(30 * day),
    },
  ];
}

/** Creates the namespace's streams, or brings their settings up to date. Safe to run at every start. */
export async function ensureStreams(jsm: JetStreamManager, namespace: string, replicas = 1): Promise<void> {
  for (const config of streamConfigs(namespace, replicas)) {
    try {
      await jsm.streams.add(config);
    } catch (error) {
      // Adding an existing stream with other settings fails; then it is updated in place.
      if (!/already in use|exists/i.test((error as Error).message)) throw error;
      await jsm.streams.update(config.name, config);
    }
  }
}

/** Removes the namespace's streams (tests clean up after themselves). */
export async function deleteStreams(jsm: JetStreamManager, namespace: string): Promise<void> {
  for (const { name } of streamConfigs(namespace)) {
    await jsm.streams.delete(name).catch(() => undefined);
  }
}
