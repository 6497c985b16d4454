import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { ServiceName } from "../serviceNames";
import { eventCatalog, isEventType, type EventData, type EventType } from "./catalog";

/** What travels on the bus: the same envelope for every event, with a typed `data`. */
export interface EventEnvelope<T extends EventType = EventType> {
  /** Unique id; also the JetStream `Nats-Msg-Id`, and what consumers de-duplicate on. */
  id: string;
  type: T;
  /** ISO-8601 time of the fact. */
  occurredAt: string;
  /** The service that owns the fact. */
  source: ServiceName;
  data: EventData<T>;
  /** W3C trace context of the operation that caused the event, when there is one. */
  traceparent?: string;
}

export interface EventInput<T extends EventType = EventType> {
  type: T;
  data: EventData<T>;
}

/** Thrown when an event does not match its envelope or its catalog entry. */
export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

const envelopeShape = z.object({
  id: z.uuid(),
  type: z.string(),
  occurredAt: z.iso.datetime(),
  source: z.string(),
  data: z.unknown(),
  traceparent: z.string().optional(),
});

export function createEnvelope<T extends EventType>(
  source: ServiceName,
  input: EventInput<T>,
  traceparent?: string,
): EventEnvelope<T> {
  const envelope: EventEnvelope<T> = {
    id: randomUUID(),
    type: input.type,
    occurredAt: new Date().toISOString(),
    source,
    data: input.data,
    ...(traceparent ? { traceparent } : {}),
  };
  return parseEnvelope(envelope) as EventEnvelope<T>;
}

/** Validates an envelope and its data against the catalog; returns it with parsed data. */
export function parseEnvelope(value: unknown): EventEnvelope {
  const shape = envelopeShape.safeParse(value);
  if (!shape.success)
    throw new InvalidEventError(
      `malformed event envelope: ${shape.error.issues.map((issue) => issue.message).join("; ")}`,
    );
  const { type } = shape.data;
  if (!isEventType(type)) throw new InvalidEventError(`unknown event type "${type}"`);
  const data = eventCatalog[type].safeParse(shape.data.data);
  if (!data.success) {
    throw new InvalidEventError(
      `invalid ${type} data: ${data.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`,
    );
  }
  return { ...shape.data, type, source: shape.data.source as ServiceName, data: data.data } as EventEnvelope;
}
