import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { databaseUrlFor } from "../../subgraphs/common/database/databaseUrl";
import { dropDatabase, ensureDatabase } from "../../subgraphs/common/database/provision";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import type { ServiceName } from "../../subgraphs/common/serviceNames";

function migrationsFolder(service: ServiceName): string {
  return path.join(projectRoot, "prisma", service, "migrations");
}

/** The service's migrations, oldest first, by folder name (`<timestamp>_<name>`). */
function migrationNames(service: ServiceName): string[] {
  return readdirSync(migrationsFolder(service), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * A database of one service taken through its migrations step by step, so a test can fill it as
 * the previous schema left it and then check what a new migration does to those rows. The SQL is
 * the committed migration files, run as `prisma migrate deploy` runs them.
 */
export class MigrationHistory {
  private applied = 0;
  private constructor(
    private readonly service: ServiceName,
    private readonly names: string[],
    readonly client: Client,
    readonly url: string,
  ) {}

  static async open(service: ServiceName, testId: string): Promise<MigrationHistory> {
    const url = databaseUrlFor(service, {
      POSTGRES_URL: process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
      DATABASE_PREFIX: `${testId}_`,
    });
    await ensureDatabase(url);
    const client = new Client({ connectionString: url });
    await client.connect();
    return new MigrationHistory(service, migrationNames(service), client, url);
  }

  /** Applies every migration before the one whose name ends with `name`. */
  async applyUntil(name: string): Promise<void> {
    const target = this.indexOf(name);
    while (this.applied < target) await this.applyNext();
  }

  /** Applies the migration whose name ends with `name`, which must be the next one. */
  async apply(name: string): Promise<void> {
    if (this.indexOf(name) !== this.applied) throw new Error(`${name} is not the next migration of ${this.service}`);
    await this.applyNext();
  }

  async close(): Promise<void> {
    await this.client.end();
    await dropDatabase(this.url);
  }

  private indexOf(name: string): number {
    const index = this.names.findIndex((each) => each.endsWith(`_${name}`));
    if (index < 0) throw new Error(`${this.service} has no migration named ${name}`);
    return index;
  }

  private async applyNext(): Promise<void> {
    const name = this.names[this.applied]!;
    await this.client.query(readFileSync(path.join(migrationsFolder(this.service), name, "migration.sql"), "utf8"));
    this.applied += 1;
  }
}
