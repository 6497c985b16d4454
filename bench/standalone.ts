/**
 * What the benches that measure one part alone share: this process's CPU and wall time over a
 * piece of work, the SQL statements it sent meanwhile, and how such a script ends.
 */
import { recordSentStatements, type SentStatement } from "../test/support/sqlCounter";

export interface Measured<T> {
  result: T;
  /** User + system CPU of this process, milliseconds. */
  cpuMs: number;
  wallMs: number;
  /** Every statement a `pg` connection of this process sent (Prisma's and the pools' alike). */
  statements: SentStatement[];
}

export async function measure<T>(work: () => Promise<T>): Promise<Measured<T>> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const { result, statements } = await recordSentStatements(work);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
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
