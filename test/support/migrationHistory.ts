import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "pg";
import { databaseUrlFor } from "../../subgraphs/common/database/databaseUrl";
import { dropDatabase, ensureDatabase, migrateDatabase } from "../../subgraphs/common/database/provision";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import type { ServiceName } from "../../subgraphs/common/serviceNames";

/**
 * Applies a service's migrations up to and including `lastMigration` (a folder name), as a
 * database deployed before the later ones would be: the first migrations are copied to a folder
 * of their own and `prisma migrate deploy` runs on it (`PRISMA_MIGRATIONS_DIR`). A later
 * `migrateDatabase` then applies the rest, as a deployment would.
 */
export async function migrateUpTo(service: ServiceName, databaseUrl: string, lastMigration: string): Promise<void> {
  const source = path.join(projectRoot, "prisma", service, "migrations");
  const names = readdirSync(source)
    .filter((name) => /^\d{14}_/.test(name))
    .sort();
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
