import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "pg";
import { databaseUrlFor } from "../../subgraphs/common/database/databaseUrl";
import { dropDatabase, ensureDatabase, migrateDatabase } from "../../subgraphs/common/database/provision";
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

// The same history through the Prisma CLI itself (`prisma migrate deploy` on a folder holding the
// first migrations, then on the real one), which also proves that the WebAssembly engine splits
// a migration's statements as PostgreSQL reads them.

/**
 * Applies a service's migrations up to and including `lastMigration` (a folder name), as a
 * database deployed before the later ones would be: the first migrations are copied to a folder
 * of their own and `prisma migrate deploy` runs on it (`PRISMA_MIGRATIONS_DIR`). A later
 * `migrateDatabase` then applies the rest, as a deployment would.
 */
export async function migrateUpTo(service: ServiceName, databaseUrl: string, lastMigration: string): Promise<void> {
  const source = migrationsFolder(service);
  const names = migrationNames(service);
  if (!names.includes(lastMigration)) throw new Error(`${service} has no migration ${lastMigration}`);
  const folder = mkdtempSync(path.join(tmpdir(), `migrations-${service}-`));
  const previous = process.env.PRISMA_MIGRATIONS_DIR;
  try {
    for (const name of names.filter((each) => each <= lastMigration))
      cpSync(path.join(source, name), path.join(folder, name), { recursive: true });
    cpSync(path.join(source, "migration_lock.toml"), path.join(folder, "migration_lock.toml"));
    process.env.PRISMA_MIGRATIONS_DIR = folder;
    await migrateDatabase(service, databaseUrl);
  } finally {
    if (previous === undefined) delete process.env.PRISMA_MIGRATIONS_DIR;
    else process.env.PRISMA_MIGRATIONS_DIR = previous;
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Runs SQL on a database as it is (to fill it as an older schema had it, and to read it back). */
export async function withSql<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A database of one service for a test, migrated only up to `lastMigration`: fill it as that
 * schema had it, then `migrateRest` applies the later migrations, as a deployment would.
 */
export async function databaseAtMigration(
  service: ServiceName,
  testId: string,
  lastMigration: string,
): Promise<{ url: string; migrateRest(): Promise<void>; drop(): Promise<void> }> {
  const url = databaseUrlFor(service, {
    POSTGRES_URL: process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
    DATABASE_PREFIX: `${testId}_`,
  });
  await ensureDatabase(url);
  await migrateUpTo(service, url, lastMigration);
  return { url, migrateRest: () => migrateDatabase(service, url), drop: () => dropDatabase(url) };
}
