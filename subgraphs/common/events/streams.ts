import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type StreamConfig } from "nats";
import { domainOf, eventDomains, type EventType } from "./catalog";

const day = 24 * 60 * 60 * 1000;

/** Subject an event type is published on: `<namespace>.<type>`. */
export function subjectFor(namespace: string, type: EventType): string {
  return `${namespace}.${type}`;
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
