import { Client } from "pg";
import { databaseName } from "../../subgraphs/common/database/databaseUrl";
import { dropDatabase, ensureDatabase, migrateDatabase } from "../../subgraphs/common/database/provision";
import { serviceNames, type ServiceName } from "../../subgraphs/common/serviceNames";
import { newTestId } from "./testNames";

/**
 * Migrated template databases, one per service, made once per test run (globalSetup) and copied
 * by PostgreSQL (`CREATE DATABASE … TEMPLATE …`) for each test's databases. Migrating a database
 * runs the Prisma CLI, a process of its own that took 2-3 s of CPU per database (over 400 times
 * in a run); a copy takes a fraction of that. The template is migrated by the same committed
 * migrations the services apply at start, so the copy is the database a service would have
 * migrated for itself. Tests of migrations themselves run them (migrationHistory.ts), and a
 * test that sets MIGRATE_ON_START, or starts a service again on its existing database, gets what
 * it asked for.
 */

/** Set by globalSetup for the workers: the prefix of this run's templates (`<prefix><service>`). */
const templatePrefixVariable = "TEST_TEMPLATE_DATABASE_PREFIX";

const postgresUrl = () => process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

function templateUrl(prefix: string, service: ServiceName): string {
  const url = new URL(postgresUrl());
  url.pathname = `/${prefix}${service}`;
  return url.toString();
}

/** Makes and migrates this run's templates (globalSetup), and tells the workers their names. */
export async function createTemplateDatabases(): Promise<void> {
  const prefix = `${newTestId()}_template_`;
  await Promise.all(
    serviceNames.map(async (service) => {
      const url = templateUrl(prefix, service);
      await ensureDatabase(url);
      await migrateDatabase(service, url);
    }),
  );
  process.env[templatePrefixVariable] = prefix;
}

/** Drops this run's templates (globalTeardown). */
export async function dropTemplateDatabases(): Promise<void> {
  const prefix = process.env[templatePrefixVariable];
  if (!prefix) return;
  for (const service of serviceNames) await dropDatabase(templateUrl(prefix, service));
}

/**
 * Creates the service's database at `databaseUrl` as a copy of this run's migrated template.
 * Answers false, leaving things as they are, when there is no template (a test run without
 * globalSetup) or the database exists already (a service started again keeps its data); the
 * caller then lets the service create and migrate its database itself.
 */
export async function copyTemplateDatabase(service: ServiceName, databaseUrl: string): Promise<boolean> {
  const prefix = process.env[templatePrefixVariable];
  if (!prefix) return false;
  const name = databaseName(databaseUrl);
  if (!/^[a-zA-Z0-9_]+$/.test(name)) return false;
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = "/postgres";
  const client = new Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${prefix}${service}"`);
    return true;
  } catch (error) {
    // 42P04: another process created it first; 55006: the template is in use (never expected:
    // nothing connects to it). Either way the service creates or migrates it as without a template.
    const code = (error as { code?: string }).code;
    if (code === "42P04" || code === "55006") return false;
    throw error;
  } finally {
    await client.end();
  }
}
