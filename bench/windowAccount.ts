import type { MachineSample } from "./processStats";
import { subtractCounts, workCountNames, type WorkCounts } from "./workCounters";

/** What is read at each end of a steady window. */
export interface WindowSample {
  /** performance.now() */
  at: number;
  /** CPU seconds (user + system) of each measured process or group. */
  cpuSeconds: Record<string, number | undefined>;
  machine: MachineSample;
  /** Each process's work counters, from its /metrics. */
  work: Record<string, WorkCounts>;
}

/** How the measured processes add up. */
export interface Attribution {
  /** The processes an order costs (the services, their PostgreSQL backends, Redis, NATS). */
  perOrder: readonly string[];
  /** What else is known to run: the load generator, the PostgreSQL server as a whole. */
  alsoAttributed: readonly string[];
  /** Included in another entry (the bench's PostgreSQL backends are part of the server). */
  within: Readonly<Record<string, string>>;
  /**
   * What an entry splits into (the bench's PostgreSQL backends by database, that is by service):
   * reported right after it, within it, so neither in the total nor counted twice.
   */
  parts?: Readonly<Record<string, readonly string[]>>;
}

export interface WindowAccount {
  seconds: number;
  confirmed: number;
  ordersPerSecond: number;
  /** CPU milliseconds per confirmed order, by process. */
  cpuMsPerOrder: Record<string, number | null>;
  /** The sum over `perOrder`: what one order costs the platform (the load generator apart). */
  cpuMsPerOrderTotal: number | null;
  /** CPU % of one core, by process. */
  cpuPercent: Record<string, number>;
  machine: {
    busyPercent: number;
    /** Share of the machine's busy time no measured process accounts for (other programs, interrupts). */
    unattributedPercent: number;
    stealPercent: number;
  };
  /** Work counters per confirmed order, summed over every process. */
  workPerOrder: WorkCounts | null;
  /** Why the window's CPU figures should not be trusted as they stand. */
  flags: string[];
}

export const maxUnattributedPercent = 5;

const round = (value: number, places = 1) => Math.round(value * 10 ** places) / 10 ** places;

export function accountWindow(
  from: WindowSample,
  to: WindowSample,
  confirmed: number,
  attribution: Attribution,
): WindowAccount {
  const seconds = (to.at - from.at) / 1000;
  const used = (name: string) => (to.cpuSeconds[name] ?? 0) - (from.cpuSeconds[name] ?? 0);
  const withParts = (name: string) => [name, ...(attribution.parts?.[name] ?? [])];
  const names = [...attribution.perOrder, ...attribution.alsoAttributed].flatMap(withParts);
  const partOf = new Set(Object.values(attribution.parts ?? {}).flat());
  const perOrderMs = (cpu: number) => (confirmed > 0 ? round((cpu * 1000) / confirmed) : null);
  const cpuMsPerOrder = Object.fromEntries(names.map((name) => [name, perOrderMs(used(name))]));
  const cpuPercent = Object.fromEntries(
    names.map((name) => [name, seconds > 0 ? round((used(name) / seconds) * 100, 0) : 0]),
  );
  const perOrderCpu = attribution.perOrder.reduce((sum, name) => sum + used(name), 0);
  const attributedCpu = names
    .filter((name) => !attribution.within[name] && !partOf.has(name))
    .reduce((sum, name) => sum + used(name), 0);
  const busy = to.machine.busySeconds - from.machine.busySeconds;
  const total = to.machine.totalSeconds - from.machine.totalSeconds;
  const steal = to.machine.stealSeconds - from.machine.stealSeconds;
  const unattributedPercent = busy > 0 ? round((Math.max(0, busy - attributedCpu) / busy) * 100) : 0;
  const stealPercent = total > 0 ? round((steal / total) * 100) : 0;

  const work = Object.keys(to.work).map((name) => subtractCounts(to.work[name]!, from.work[name] ?? to.work[name]!));
  const workPerOrder =
    confirmed > 0
      ? (Object.fromEntries(
          workCountNames.map((counter) => [
            counter,
            round(work.reduce((sum, each) => sum + each[counter], 0) / confirmed),
          ]),
        ) as unknown as WorkCounts)
      : null;

  const flags: string[] = [];
  if (unattributedPercent > maxUnattributedPercent)
    flags.push(
      `${unattributedPercent}% of the machine's busy time is not attributed to a measured process (other programs ran)`,
    );
  if (steal > 0) flags.push(`the hypervisor stole ${stealPercent}% of the CPU time`);
  if (confirmed === 0) flags.push("no order was confirmed in the window");
  return {
    seconds: round(seconds),
    confirmed,
    ordersPerSecond: seconds > 0 ? round(confirmed / seconds) : 0,
    cpuMsPerOrder,
    cpuMsPerOrderTotal: perOrderMs(perOrderCpu),
    cpuPercent,
    machine: { busyPercent: total > 0 ? round((busy / total) * 100, 0) : 0, unattributedPercent, stealPercent },
    workPerOrder,
    flags,
  };
}

/** The median of some numbers (the lower middle one of an even count); null when there are none. */
export function median(values: ReadonlyArray<number | null | undefined>): number | null {
  const present = values.filter((value): value is number => typeof value === "number" && !Number.isNaN(value));
  if (present.length === 0) return null;
  const sorted = [...present].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** The median of each key of some records (per process, per counter). */
export function medianOf<K extends string>(
  records: ReadonlyArray<Readonly<Record<K, number | null>> | null>,
): Record<K, number | null> {
  const keys = new Set(records.flatMap((record) => (record ? (Object.keys(record) as K[]) : [])));
  return Object.fromEntries([...keys].map((key) => [key, median(records.map((record) => record?.[key]))])) as Record<
    K,
    number | null
  >;
}
