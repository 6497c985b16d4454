import { connect, type NatsConnection } from "nats";
import type { SqlExecutor, TransactionRunner } from "../../../database/prismaOptions";
import { deleteStreams, ensureStreams } from "../../streams";

/**
 * A database whose outbox holds no row for the relay's poll and nothing to stamp: whatever
 * reaches NATS from a relay on it came by the relay's direct path.
 */
export const emptyOutbox = {
  $executeRawUnsafe: () => Promise.resolve(0),
  $queryRawUnsafe: <T>() => Promise.resolve([] as T),
  $transaction: <R>(work: (tx: SqlExecutor) => Promise<R>) => work(emptyOutbox),
} as unknown as TransactionRunner<SqlExecutor> & SqlExecutor;

/**
 * A NATS connection for the tests of the `describe` block that calls it, with the streams of
 * `namespace` made before them and removed after them.
 */
export function natsWithStreams(namespace: string): () => NatsConnection {
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    nc = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    await ensureStreams(await nc.jetstreamManager(), namespace);
  });
  afterAll(async () => {
    if (!nc) return;
    await deleteStreams(await nc.jetstreamManager(), namespace);
    await nc.close();
  });
  return () => {
    if (!nc) throw new Error("NATS is connected in beforeAll");
    return nc;
  };
}
