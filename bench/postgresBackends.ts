import pg from "pg";
import { readStat, type ProcessSample } from "./processStats";

interface Backend {
  datname: string;
  /** CPU seconds last read (kept when the backend has exited). */
  cpuSeconds: number;
}

/**
 * The CPU of the PostgreSQL backends serving the bench's own databases, apart from the rest of a
 * server that other clients may share: the backends are found in `pg_stat_activity` (every
 * half second) and their CPU read from /proc. A backend that has exited keeps the last CPU seen
 * for it, so the sum stays monotonic; what it used after that last look (at most half a second of
 * its life; pools keep their connections) is missed, and the postmaster's children time holds it
 * among the server's total. Each backend serves one database, so the CPU also splits by database,
 * that is by service (`sampleDatabase`).
 */
export class PostgresBackends {
  private readonly backends = new Map<number, Backend>();
  private readonly client: pg.Client;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    postgresUrl: string,
    private readonly databasePrefix: string,
  ) {
    this.client = new pg.Client({ connectionString: `${postgresUrl.replace(/\/+$/, "")}/postgres` });
  }

  private get pattern(): string {
    return `${this.databasePrefix.replace(/_/g, "\\_")}%`;
  }

  async start(): Promise<void> {
    await this.client.connect();
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), 500);
    this.timer.unref();
  }

  /** The bench's databases (from the server's catalogue), whether or not a backend serves them yet. */
  async databases(): Promise<string[]> {
    const { rows } = await this.client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname",
      [this.pattern],
    );
    return rows.map((row) => row.datname);
  }

  /** Looks for the backends of the bench's databases now, and reads their CPU. */
  refresh(): Promise<void> {
    this.refreshing ??= this.client
      .query<{
        pid: number;
        datname: string;
      }>(`SELECT pid, datname FROM pg_stat_activity WHERE datname LIKE $1 AND pid <> pg_backend_pid()`, [this.pattern])
      .then(({ rows }) => {
        for (const { pid, datname } of rows)
          if (!this.backends.has(pid)) this.backends.set(pid, { datname, cpuSeconds: 0 });
        this.sample();
      })
      .catch(() => undefined)
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** CPU seconds of every bench backend seen so far (the exited ones as last seen). */
  sample(): ProcessSample {
    return { cpuSeconds: this.read(() => true), memoryMb: 0 };
  }

  /** CPU seconds of the backends seen so far serving one database (the exited ones as last seen). */
  sampleDatabase(datname: string): ProcessSample {
    return { cpuSeconds: this.read((backend) => backend.datname === datname), memoryMb: 0 };
  }

  private read(which: (backend: Backend) => boolean): number {
    let cpuSeconds = 0;
    for (const [pid, backend] of this.backends) {
      if (!which(backend)) continue;
      const now = readStat(pid)?.cpuSeconds;
      // A pid reused by an unrelated process would read less than before: keep the last value.
      if (now !== undefined && now >= backend.cpuSeconds) backend.cpuSeconds = now;
      cpuSeconds += backend.cpuSeconds;
    }
    return cpuSeconds;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.client.end().catch(() => undefined);
  }
}
