import { readdirSync, readFileSync } from "node:fs";

/** CPU seconds and memory of a process or a group of processes, read from /proc (Linux). */
export interface ProcessSample {
  cpuSeconds: number;
  /** Resident memory now; for a group, proportional (shared pages split among its processes). */
  memoryMb: number;
}

const ticksPerSecond = 100;

export function readStat(pid: number): { cpuSeconds: number; childrenCpuSeconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    return {
      cpuSeconds: (fields[11]! + fields[12]!) / ticksPerSecond,
      childrenCpuSeconds: (fields[13]! + fields[14]!) / ticksPerSecond,
    };
  } catch {
    return undefined;
  }
}

function kilobytes(file: string, key: string): number {
  try {
    return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(file, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export function sampleProcess(pid: number): ProcessSample | undefined {
  const stat = readStat(pid);
  if (!stat) return undefined;
  return { cpuSeconds: stat.cpuSeconds, memoryMb: kilobytes(`/proc/${pid}/status`, "VmRSS") / 1024 };
}

/** The processes whose command name is `name` (postgres, redis-server, nats-server). */
export function pidsNamed(name: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

const proportionalMemory = new Map<number, { readAt: number; kilobytes: number }>();
const proportionalMemoryMaxAgeMs = 10_000;

/**
 * A process's proportional memory, read at most every 10 s: the kernel walks every page of the
 * process to answer `smaps_rollup`, which cost the load generator about 1 % of the machine when
 * read every second for every PostgreSQL backend.
 */
function proportionalKilobytes(pid: number): number {
  const known = proportionalMemory.get(pid);
  const now = performance.now();
  if (known && now - known.readAt < proportionalMemoryMaxAgeMs) return known.kilobytes;
  const kilobytesNow = kilobytes(`/proc/${pid}/smaps_rollup`, "Pss");
  proportionalMemory.set(pid, { readAt: now, kilobytes: kilobytesNow });
  return kilobytesNow;
}

/**
 * A group such as PostgreSQL, whose connection processes come and go: the CPU of the ones that
 * have exited is counted in their parent's children time, so the sum stays monotonic.
 */
export function sampleGroup(name: string): ProcessSample {
  let cpuSeconds = 0;
  let memoryKb = 0;
  for (const pid of pidsNamed(name)) {
    const stat = readStat(pid);
    if (!stat) continue;
    cpuSeconds += stat.cpuSeconds + stat.childrenCpuSeconds;
    memoryKb += proportionalKilobytes(pid);
  }
  return { cpuSeconds, memoryMb: memoryKb / 1024 };
}

export interface MachineSample {
  /** CPU time spent on anything but idle and I/O wait, all cores (steal included). */
  busySeconds: number;
  totalSeconds: number;
  /** Time the hypervisor gave this machine's virtual CPUs to someone else. */
  stealSeconds: number;
}

/** Busy, total and stolen CPU time of the whole machine, all cores (from /proc/stat). */
export function sampleMachine(): MachineSample {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return {
    busySeconds: busy / ticksPerSecond,
    totalSeconds: (busy + idle! + iowait!) / ticksPerSecond,
    stealSeconds: steal! / ticksPerSecond,
  };
}

export type Probe = () => ProcessSample | undefined;

/** Samples a set of processes every second, so that peaks of memory are seen. */
export class ProcessMonitor {
  private readonly peaks = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly probes: Record<string, Probe>) {
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  /** CPU seconds of every process now, and the peak memory seen so far. */
  sample(): Record<string, ProcessSample | undefined> {
    const samples = Object.fromEntries(Object.entries(this.probes).map(([name, probe]) => [name, probe()]));
    for (const [name, sample] of Object.entries(samples)) {
      if (sample) this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, sample.memoryMb));
    }
    return samples;
  }

  peakMemoryMb(name: string): number {
    return Math.round(this.peaks.get(name) ?? 0);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarize(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}
