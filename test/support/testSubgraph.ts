import { connect } from "nats";
import { databaseUrlFor } from "../../subgraphs/common/database/databaseUrl";
import { dropDatabase } from "../../subgraphs/common/database/provision";
import type { PrismaLike } from "../../subgraphs/common/database/prismaOptions";
import { parseEnvironment } from "../../subgraphs/common/environment";
import { deleteStreams } from "../../subgraphs/common/events/streams";
import { createLogger } from "../../subgraphs/common/logger";
import { startSubgraph, type RunningSubgraph } from "../../subgraphs/common/server/startSubgraph";
import type {
  BaseContext,
  SubgraphDefinition,
  SubgraphSettings,
} from "../../subgraphs/common/server/subgraphDefinition";
import { copyTemplateDatabase } from "./templateDatabases";

export const testAdmin = { email: "admin@test.example", password: "admin-password-for-tests" };

/** Settings a test service starts with: its own databases, streams and Redis keys, any free port, quiet logs. */
export function testSettings(testId: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "test",
    DATABASE_PREFIX: `${testId}_`,
    NATS_NAMESPACE: testId,
    REDIS_KEY_PREFIX: `${testId}:`,
    PORT: "0",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    LOG_PRETTY: "false",
    STARTUP_TIMEOUT_SECONDS: "5",
    DATABASE_URL: "",
    ADMIN_EMAIL: testAdmin.email,
    ADMIN_PASSWORD: testAdmin.password,
    // The cheapest scrypt cost the service accepts: tests hash many passwords.
    PASSWORD_SCRYPT_LOG_N: "14",
    // Tests count the SQL statements behind a request.
    DATABASE_LOG_QUERIES: "true",
    ...overrides,
  };
}

/** Starts a subgraph in this process against real PostgreSQL, NATS and Redis. */
export async function startTestSubgraph<
  Db extends PrismaLike,
  Context extends BaseContext,
  Env extends SubgraphSettings,
>(
  definition: SubgraphDefinition<Db, Context, Env>,
  testId: string,
  overrides: Record<string, string> = {},
): Promise<RunningSubgraph<Db, Env>> {
  let settings = parseEnvironment(definition.name, definition.environment, testSettings(testId, overrides));
  // Its database copied from the run's migrated template, unless the test decides how it migrates.
  if (
    settings.MIGRATE_ON_START &&
    overrides.MIGRATE_ON_START === undefined &&
    !settings.DATABASE_URL &&
    (await copyTemplateDatabase(definition.name, databaseUrlFor(definition.name, settings)))
  )
    settings = { ...settings, MIGRATE_ON_START: false };
  const logger = createLogger(definition.name, { level: settings.LOG_LEVEL });
  return startSubgraph(definition, settings, { logger });
}

/** Stops test services and removes their databases and the test's streams. */
export async function cleanUpTest(
  testId: string,
  services: ReadonlyArray<RunningSubgraph<unknown> | undefined>,
): Promise<void> {
  for (const service of services) {
    if (!service) continue;
    await service.stop();
    await dropDatabase(service.runtime.databaseUrl);
  }
  const nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
  await deleteStreams(await nats.jetstreamManager(), testId);
  await nats.close();
}
