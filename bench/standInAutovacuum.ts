import pg from "pg";

/**
 * Autovacuum's work on the bench's databases when the server runs without it. The machines' CI
 * configuration turns autovacuum off (`/etc/postgresql/*\/main/conf.d/90-ci.conf`), and then no
 * table of the bench is ever analysed or vacuumed: the plans PostgreSQL caches for the services'
 * named statements, made while the orders, reservations, payments and notifications tables were
 * nearly empty, go on scanning them whole as they grow, and their dead rows pile up. Measured on a
 * run kept for it (3,114 orders): `orders` scanned 4,003 times (6.4 million rows read),
 * `reservations` 2,688 times, `payments` 2,228, `notifications` 570; CPU per order rose run after
 * run. A production server has autovacuum, which analyses a table after a tenth of it changed and
 * vacuums it after a fifth: so, when the server's is off, every database of the bench is analysed
 * every `intervalMs` and vacuumed every sixth time, over a connection of its own. Its backends are bench
 * backends, so their CPU counts in the orders' cost, as autovacuum's workers would.
 */
/** One round in so many vacuums as well as analysing (a round every 10 s: once a minute, autovacuum's naptime). */
const vacuumEveryRounds = 6;

export class StandInAutovacuum {
  private readonly clients: pg.Client[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Rounds of `VACUUM (ANALYZE)` over every bench database done so far. */
  rounds = 0;

  private constructor(private readonly intervalMs: number) {}

  /** Starts it when the server's autovacuum is off; undefined (nothing to stand in for) when it is on. */
  static async startIfNeeded(
    postgresUrl: string,
    databasePrefix: string,
    intervalMs: number,
  ): Promise<StandInAutovacuum | undefined> {
    const base = postgresUrl.replace(/\/+$/, "");
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    try {
      const { rows: setting } = await admin.query<{ autovacuum: string }>("SHOW autovacuum");
      if (setting[0]?.autovacuum === "on") return undefined;
      const { rows } = await admin.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname",
        [`${databasePrefix.replace(/_/g, "\\_")}%`],
      );
      const standIn = new StandInAutovacuum(intervalMs);
      for (const { datname } of rows) {
        const client = new pg.Client({ connectionString: `${base}/${datname}` });
        await client.connect();
        standIn.clients.push(client);
      }
      await standIn.round();
      standIn.timer = setInterval(() => void standIn.round(), intervalMs);
      standIn.timer.unref();
      return standIn;
    } finally {
      await admin.end();
    }
  }

  private round(): Promise<void> {
    // Analysing is cheap and keeps the plans in step with the tables; vacuuming touches every page
    // (every 10 s it cost the backends ~3 ms per order and `placeOrder` its p99), so it comes at
    // autovacuum's own pace, once a minute.
    const command = this.rounds % vacuumEveryRounds === vacuumEveryRounds - 1 ? "VACUUM (ANALYZE)" : "ANALYZE";
    this.running ??= Promise.all(this.clients.map((client) => client.query(command)))
      .then(() => {
        this.rounds += 1;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** How it is described in the bench's report. */
  describe(): string {
    return `autovacuum is off on this server: the bench analysed its databases every ${this.intervalMs / 1000}s and vacuumed them every ${(this.intervalMs * vacuumEveryRounds) / 1000}s instead (${this.rounds} rounds)`;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await Promise.all(this.clients.map((client) => client.end()));
  }
}
