/**
 * What one event costs on the bus alone (not a test): the outbox relay publishes committed
 * events straight from memory (`publishCommitted`, a JetStream publish each) and an
 * `EventConsumer` takes them (pull, delivery, ack), with the database stubbed out, so only the
 * messaging is measured: this process's CPU (both sides of the bus) and the NATS server's CPU
 * (`/proc/<pid>/stat`), per event, and the messages this process sent and received per event.
 *
 *   npx tsx bench/natsEventCost.ts [events] [eventsPerSecond] [eventsPerCommit]
 *
 * Events are published at a steady rate (commits of `eventsPerCommit` events), as the services
 * publish them under load, not in one burst, so the client coalesces writes as it does there.
 * Run it alone (`flock /tmp/bench.lock`): the server's CPU is that of every client. On a machine
 * that others' tests share, give it a server of its own (`nats-server -js -p 14222`, then
 * `NATS_URL=nats://127.0.0.1:14222 NATS_SERVER_PID=<its pid>`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { connect } from "nats";
import { createEnvelope, type EventEnvelope } from "../subgraphs/common/events/envelope";
import { EventConsumer, onEvent } from "../subgraphs/common/events/eventConsumer";
import { OutboxRelay } from "../subgraphs/common/events/outboxRelay";
import { deleteStreams, ensureStreams } from "../subgraphs/common/events/streams";
import { createLogger } from "../subgraphs/common/logger";
import type { SqlExecutor, TransactionRunner } from "../subgraphs/common/database/prismaOptions";
import { per, runStandalone } from "./standalone";

const type = "inventory.reservation.succeeded";
const events = Number(process.argv[2] ?? 20_000);
const rate = Number(process.argv[3] ?? 1000);
const perCommit = Number(process.argv[4] ?? 2);
const namespace = `natsbench${process.pid}`;

/** A database that has nothing unpublished and stamps nothing: the relay's SQL is not measured. */
const stubDb = {
  $executeRawUnsafe: () => Promise.resolve(0),
  $queryRawUnsafe: <T>() => Promise.resolve([] as T),
  $transaction: <R>(work: (tx: SqlExecutor) => Promise<R>) => work(stubDb),
} as unknown as TransactionRunner<SqlExecutor> & SqlExecutor;

/** The NATS server's pid: `NATS_SERVER_PID` (a server of the bench's own), else found by its command name. */
function natsServerPid(): number {
  if (process.env.NATS_SERVER_PID) return Number(process.env.NATS_SERVER_PID);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "nats-server") return Number(entry);
    } catch {
      // The process ended while listed.
    }
  }
  throw new Error("no nats-server process found");
}

/** A process's user + system CPU in milliseconds (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const serverPid = natsServerPid();
  const nc = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222", name: "natsEventCost" });
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm, namespace);
  const logger = createLogger("bench", { level: "silent" });
  let handled = 0;
  const handler = onEvent<SqlExecutor, typeof type>(
    type,
    async () => {
      handled += 1;
    },
    { idempotentByVersion: true },
  );
  const js = nc.jetstream();
  const consumer = new EventConsumer<SqlExecutor>({
    service: "orders",
    handler: handler as never,
    // A batch of a handler idempotent by version without `handleBatch` runs in a unit of work:
    // without one, every batch of two or more threw, was split and applied event by event.
    unitOfWork: ((work: (tx: SqlExecutor, emit: never) => Promise<unknown>) =>
      work(stubDb, undefined as never)) as never,
    db: stubDb,
    js,
    jsm,
    namespace,
    logger,
  });
  const relay = new OutboxRelay({ db: stubDb, js, namespace, logger });
  await consumer.start();
  relay.start();

  const run = async (count: number): Promise<void> => {
    const target = handled + count;
    const started = performance.now();
    for (let sent = 0; sent < count; sent += perCommit) {
      const commit: EventEnvelope[] = Array.from({ length: perCommit }, () =>
        createEnvelope("inventory", { type, data: { orderId: randomUUID() } }),
      );
      relay.publishCommitted(commit);
      const due = started + ((sent + perCommit) * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await relay.settled();
    while (handled < target) await sleep(5);
  };

  await run(Math.min(2000, events)); // warm up: JIT, the consumer's pull requests
  const statsBefore = nc.stats();
  const processBefore = process.cpuUsage();
  const serverBefore = cpuMsOf(serverPid);
  const started = performance.now();
  await run(events);
  const wallMs = performance.now() - started;
  const processCpu = process.cpuUsage(processBefore);
  const serverMs = cpuMsOf(serverPid) - serverBefore;
  const statsAfter = nc.stats();

  console.log(
    JSON.stringify({
      events,
      rate,
      perCommit,
      processCpuMsPerEvent: per((processCpu.user + processCpu.system) / 1000, events),
      natsServerCpuMsPerEvent: per(serverMs, events),
      messagesOutPerEvent: per(statsAfter.outMsgs - statsBefore.outMsgs, events),
      messagesInPerEvent: per(statsAfter.inMsgs - statsBefore.inMsgs, events),
      wallSeconds: per(wallMs, 1000),
    }),
  );
  await consumer.stop();
  await relay.stop();
  await deleteStreams(jsm, namespace);
  await nc.close();
}

runStandalone(main);
