import { startStack as startProcessStack, type RunningStack } from "../../scripts/processStack";
import { databaseUrlFor } from "../../subgraphs/common/database/databaseUrl";
import { serviceNames } from "../../subgraphs/common/serviceNames";
import { copyTemplateDatabase } from "./templateDatabases";
import { testSettings } from "./testSubgraph";

export type { RunningStack };

/**
 * The whole supergraph as separate processes, with a test's settings (its own databases and
 * streams). TEST_STACK_READY_SECONDS gives the processes longer to start on a crowded machine.
 */
export async function startStack(
  testId: string,
  extraEnv: Record<string, string> = {},
  options: { readyTimeoutMs?: number } = {},
): Promise<RunningStack> {
  const env: NodeJS.ProcessEnv = {
    ...testSettings(testId),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
    ...extraEnv,
  };
  // The databases copied from the run's migrated templates, unless the test decides how they migrate.
  if (extraEnv.MIGRATE_ON_START === undefined) {
    const location = {
      POSTGRES_URL: env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
      DATABASE_PREFIX: `${testId}_`,
    };
    const copied = await Promise.all(
      serviceNames.map((service) => copyTemplateDatabase(service, databaseUrlFor(service, location))),
    );
    if (copied.every(Boolean)) env.MIGRATE_ON_START = "false";
  }
  return startProcessStack(testId, {
    readyTimeoutMs: options.readyTimeoutMs ?? Number(process.env.TEST_STACK_READY_SECONDS ?? 60) * 1000,
    env,
    output: process.env.TEST_LOG_LEVEL ? "inherit" : "ignore",
  });
}
