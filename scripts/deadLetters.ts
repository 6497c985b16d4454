/**
 * The dead letters of the event consumers, for an admin:
 *
 *   npm run dead-letters -- list [--limit 100]   the newest dead letters: id, when, consumer, event, order, why
 *   npm run dead-letters -- show <id>            one dead letter in full (JSON)
 *   npm run dead-letters -- replay <id>          publishes its event again, as it was, and removes it
 *
 * It reads NATS_URL, NATS_NAMESPACE and, where the server asks for credentials, NATS_USER and
 * NATS_PASSWORD (the `operator` user may publish every service's subjects). In a container:
 * `node dist/scripts/deadLetters.js list`.
 */
import { connect } from "nats";
import { z } from "zod";
import { env, loadDotEnv, parseEnvironment } from "../subgraphs/common/environment";
import {
  findDeadLetter,
  listDeadLetters,
  NotReplayableError,
  replayDeadLetter,
  type StoredDeadLetter,
} from "../subgraphs/common/events/deadLetters";

export const deadLettersEnvironment = z.object({
  NATS_URL: env.url("nats://127.0.0.1:4222"),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_NAMESPACE: env.identifier("commerce"),
});

export type DeadLettersEnvironment = z.infer<typeof deadLettersEnvironment>;

const usage = `usage: npm run dead-letters -- list [--limit N] | show <id> | replay <id>`;

/** Where the CLI writes: stdout and stderr, or a test's buffers. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

function summary({ seq, record }: StoredDeadLetter): string {
  return [
    String(seq).padStart(6),
    record.failedAt,
    record.consumer,
    record.eventType ?? "(not an event)",
    record.eventId ?? "-",
    record.orderId ? `order ${record.orderId}` : "-",
    `${record.deliveries} deliveries: ${record.reason}`,
  ].join("  ");
}

function sequenceOf(value: string | undefined): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Runs one command; resolves with the exit code. */
export async function runDeadLetters(
  args: readonly string[],
  settings: DeadLettersEnvironment,
  output: Output,
): Promise<number> {
  const [command, ...rest] = args;
  if (command !== "list" && command !== "show" && command !== "replay") {
    output.err(usage);
    return 2;
  }
  const limitAt = rest.indexOf("--limit");
  const limit = limitAt >= 0 ? sequenceOf(rest[limitAt + 1]) : 100;
  const seq = sequenceOf(rest[0]);
  if ((command !== "list" && seq === undefined) || limit === undefined) {
    output.err(usage);
    return 2;
  }
  const nats = await connect({
    servers: settings.NATS_URL,
    name: "dead-letters",
    ...(settings.NATS_USER ? { user: settings.NATS_USER, pass: settings.NATS_PASSWORD ?? "" } : {}),
  });
  try {
    const jsm = await nats.jetstreamManager();
    const namespace = settings.NATS_NAMESPACE;
    if (command === "list") {
      const letters = await listDeadLetters(jsm, namespace, limit);
      if (letters.length === 0) output.out("No dead letters.");
      for (const letter of letters) output.out(summary(letter));
      return 0;
    }
    if (command === "show") {
      const letter = await findDeadLetter(jsm, namespace, seq!);
      if (!letter) {
        output.err(`There is no dead letter ${seq}.`);
        return 1;
      }
      output.out(JSON.stringify({ id: letter.seq, storedOn: letter.subject, ...letter.record }, null, 2));
      return 0;
    }
    const { event, subject } = await replayDeadLetter(nats.jetstream(), jsm, namespace, seq!);
    output.out(`Replayed event ${event.id} (${event.type}) to ${subject}; dead letter ${seq} removed.`);
    return 0;
  } catch (error) {
    if (error instanceof NotReplayableError) {
      output.err(error.message);
      return 1;
    }
    throw error;
  } finally {
    await nats.close();
  }
}

if (require.main === module) {
  loadDotEnv();
  const settings = parseEnvironment("dead-letters", deadLettersEnvironment);
  runDeadLetters(process.argv.slice(2), settings, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`dead-letters: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
