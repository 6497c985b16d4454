import { databaseUrlFor } from "../../subgraphs/common/database/databaseUrl";
import { dropDatabase, ensureDatabase, migrateDatabase } from "../../subgraphs/common/database/provision";
import type { ServiceName } from "../../subgraphs/common/serviceNames";
import { copyTemplateDatabase } from "./templateDatabases";

/**
 * A migrated database of one service for a test that exercises its store and domain directly: a
 * copy of the run's migrated template (templateDatabases.ts), else created and migrated here.
 */
export async function provisionTestDatabase(
  service: ServiceName,
  testId: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const url = databaseUrlFor(service, {
    POSTGRES_URL: process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
    DATABASE_PREFIX: `${testId}_`,
  });
  if (!(await copyTemplateDatabase(service, url))) {
    await ensureDatabase(url);
    await migrateDatabase(service, url);
  }
  return { url, drop: () => dropDatabase(url) };
}
