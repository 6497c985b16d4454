import pg from "pg";
import { readStat, type ProcessSample } from "./processStats";

/**
 * The CPU of the PostgreSQL backends serving the bench's own databases, apart from the rest of a
 * server that other clients may share: the backends are found in `pg_stat_activity` (every
 * half second) and their CPU read from /proc. A backend that has exited keeps the last CPU seen
 * for it, so the sum stays monotonic; what it used after that last look (at most half a second of
 * its life; pools keep their connections) is missed, and the postmaster's children time holds it
 * among the server's total.
 */
export class PostgresBackends {
  private readonly lastCpu = new Map<number, number>();
  private readonly client: pg.Client;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    postgresUrl: string,
    private readonly databasePrefix: string,
  ) {
    this.client = new pg.Client({ connectionString: `${postgresUrl.replace(/\/+$/, "")}/postgres` });
  }

  async start(): Promise<void> {
    await this.client.connect();
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), 500);
    this.timer.unref();
  }

  /** Looks for the backends of the bench's databases now, and reads their CPU. */
  refresh(): Promise<void> {
    this.refreshing ??= this.client
      .query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname LIKE $1 AND pid <> pg_backend_pid()`, [
        `${this.databasePrefix.replace(/_/g, "\\_")}%`,
      ])
      .then(({ rows }) => {
        for (const { pid } of rows) if (!this.lastCpu.has(pid)) this.lastCpu.set(pid, 0);
        this.sample();
      })
      .catch(() => undefined)
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** CPU seconds of every bench backend seen so far (the exited ones as last seen). */
  sample(): ProcessSample {
    let cpuSeconds = 0;
    for (const [pid, last] of this.lastCpu) {
      const now = readStat(pid)?.cpuSeconds;
      // A pid reused by an unrelated process would read less than before: keep the last value.
      const value = now !== undefined && now >= last ? now : last;
      this.lastCpu.set(pid, value);
      cpuSeconds += value;
    }
    return { cpuSeconds, memoryMb: 0 };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.client.end().catch(() => undefined);
  }
}
