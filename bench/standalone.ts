/**
 * What the benches that measure one part alone share: this process's CPU and wall time over a
 * piece of work, the SQL statements it sent meanwhile, and how such a script ends.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { recordSentStatements, type SentStatement } from "../test/support/sqlCounter";

export interface Measured<T> {
  result: T;
  /** User + system CPU of this process, milliseconds. */
  cpuMs: number;
  wallMs: number;
  /** Every statement a `pg` connection of this process sent (Prisma's and the pools' alike). */
  statements: SentStatement[];
}

/** `profileTo`: write a V8 CPU profile of the measured work alone (no start-up) to that file. */
export async function measure<T>(work: () => Promise<T>, options: { profileTo?: string } = {}): Promise<Measured<T>> {
  const session = options.profileTo ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  }
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const { result, statements } = await recordSentStatements(work);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (session && options.profileTo) {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(options.profileTo, JSON.stringify(profile));
    session.disconnect();
  }
  return { result, cpuMs: (cpu.user + cpu.system) / 1000, wallMs, statements };
}

/** `value / count` to three decimals, as the benches print their per-unit figures. */
export const per = (value: number, count: number): number => Number((value / count).toFixed(3));

/** Runs a bench script's `main` and exits: 0 when it finished, 1 (with the error printed) when it failed. */
export function runStandalone(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
