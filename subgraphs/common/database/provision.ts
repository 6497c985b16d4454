import { Client } from "pg";
import type { ServiceName } from "../serviceNames";
import { databaseName } from "./databaseUrl";
import { runPrismaCli } from "./prismaCli";

const safeName = /^[a-zA-Z0-9_]+$/;

function maintenanceUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  return url.toString();
}

async function withMaintenanceClient<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: maintenanceUrl(databaseUrl), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function checkedName(databaseUrl: string): string {
  const name = databaseName(databaseUrl);
  if (!safeName.test(name)) throw new Error(`database name "${name}" must be letters, digits and underscores`);
  return name;
}

/** Connects to the database once, to tell at start whether it can be reached. */
export async function checkDatabase(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  await client.end();
}

/** Creates the database when it does not exist yet. Safe when several processes race to create it. */
export async function ensureDatabase(databaseUrl: string): Promise<"created" | "existed"> {
  const name = checkedName(databaseUrl);
  return withMaintenanceClient(databaseUrl, async (client) => {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return "existed";
    try {
      await client.query(`CREATE DATABASE "${name}"`);
      return "created";
    } catch (error) {
      // 42P04 duplicate_database, 23505 unique_violation: another process created it first.
      const code = (error as { code?: string }).code;
      if (code === "42P04" || code === "23505") return "existed";
      throw error;
    }
  });
}

/** Drops the database, closing any connection still open to it (tests and benchmarks clean up). */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = checkedName(databaseUrl);
  await withMaintenanceClient(databaseUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Names of the databases whose name starts with `prefix` (to clean up after test runs). */
export async function listDatabases(serverUrl: string, prefix: string): Promise<string[]> {
  return withMaintenanceClient(`${serverUrl.replace(/\/$/, "")}/postgres`, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [prefix],
    );
    return rows.map((row) => row.datname);
  });
}

/** Applies the service's committed migrations (`prisma migrate deploy`). */
export async function migrateDatabase(service: ServiceName, databaseUrl: string): Promise<void> {
  await runPrismaCli(service, ["migrate", "deploy"], databaseUrl);
}

/** A new, empty database of the service at its current schema (a report's or a bench's own). */
export async function recreateMigratedDatabase(service: ServiceName, databaseUrl: string): Promise<void> {
  await dropDatabase(databaseUrl);
  await ensureDatabase(databaseUrl);
  await migrateDatabase(service, databaseUrl);
}
