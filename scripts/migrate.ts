/**
 * `node dist/scripts/migrate.js <service>` (or `tsx scripts/migrate.ts <service>`): creates the
 * service's database if it is missing and applies its migrations, then exits. Kubernetes runs it
 * as an init container, so the service itself starts with MIGRATE_ON_START=false.
 */
import { databaseUrlFor, describeDatabase } from "../subgraphs/common/database/databaseUrl";
import { ensureDatabase, migrateDatabase } from "../subgraphs/common/database/provision";
import { connectWithRetry } from "../subgraphs/common/dependencies";
import { loadDotEnv, parseEnvironment, subgraphEnvironment } from "../subgraphs/common/environment";
import { createLogger } from "../subgraphs/common/logger";
import { exitWithStartupFailure } from "../subgraphs/common/server/runMain";
import { serviceNames, type ServiceName } from "../subgraphs/common/serviceNames";

async function main(): Promise<void> {
  const service = process.argv[2] as ServiceName | undefined;
  if (!service || !serviceNames.includes(service)) throw new Error(`usage: migrate <${serviceNames.join("|")}>`);
  loadDotEnv();
  const settings = parseEnvironment(`migrate ${service}`, subgraphEnvironment);
  const logger = createLogger(`migrate-${service}`, { level: settings.LOG_LEVEL });
  const databaseUrl = databaseUrlFor(service, settings);
  await connectWithRetry("PostgreSQL", describeDatabase(databaseUrl), () => ensureDatabase(databaseUrl), {
    timeoutMs: settings.STARTUP_TIMEOUT_SECONDS * 1000,
    logger,
  });
  await migrateDatabase(service, databaseUrl);
  logger.info({ database: describeDatabase(databaseUrl) }, "migrations applied");
}

main().catch((error: unknown) => exitWithStartupFailure(`migrate ${process.argv[2] ?? ""}`.trim(), error));
