import type { ServiceName } from "../serviceNames";
import { databaseUrlFor, describeDatabase, type DatabaseLocation } from "../database/databaseUrl";
import { checkDatabase, ensureDatabase, migrateDatabase } from "../database/provision";
import { connectWithRetry, openNats, openRedis, type RetryOptions } from "../dependencies";

/** Reported when several dependencies fail at once: one line for each. */
export class StartupError extends Error {
  constructor(readonly failures: string[]) {
    super(failures.join("\n"));
    this.name = "StartupError";
  }
}

/**
 * Waits for a process's dependencies, opened together (each retried until the start-up timeout),
 * and resolves with them by name; when any fails, every failure is told at once.
 */
export async function openDependencies<T extends Record<string, Promise<unknown>>>(
  opening: T,
): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const names = Object.keys(opening);
  const results = await Promise.allSettled(Object.values(opening));
  const failures = results.flatMap((result) =>
    result.status === "rejected" ? [(result.reason as Error).message] : [],
  );
  if (failures.length > 0) throw new StartupError(failures);
  return Object.fromEntries(
    results.map((result, index) => [names[index], (result as PromiseFulfilledResult<unknown>).value]),
  ) as { [K in keyof T]: Awaited<T[K]> };
}

/**
 * The service's own database, ready to use: created and migrated when `migrate` is set, only
 * reached otherwise (another step of the deployment migrates it).
 */
export async function prepareDatabase(
  service: ServiceName,
  location: DatabaseLocation & { MIGRATE_ON_START: boolean },
  retry: RetryOptions,
): Promise<string> {
  const databaseUrl = databaseUrlFor(service, location);
  const where = describeDatabase(databaseUrl);
  if (!location.MIGRATE_ON_START) {
    await connectWithRetry("PostgreSQL", where, () => checkDatabase(databaseUrl), retry);
    return databaseUrl;
  }
  await connectWithRetry("PostgreSQL", where, () => ensureDatabase(databaseUrl), retry);
  await migrateDatabase(service, databaseUrl).catch((error: Error) => {
    throw new Error(`migrating ${where} failed: ${error.message}`);
  });
  return databaseUrl;
}

/** A subgraph's connections: its database (prepared), NATS and Redis. */
export async function openSubgraphDependencies(
  service: ServiceName,
  env: DatabaseLocation & {
    MIGRATE_ON_START: boolean;
    NATS_URL: string;
    NATS_USER?: string | undefined;
    NATS_PASSWORD?: string | undefined;
    REDIS_URL: string;
  },
  retry: RetryOptions,
) {
  return openDependencies({
    databaseUrl: prepareDatabase(service, env, retry),
    nats: openNats(env.NATS_URL, service, retry, { user: env.NATS_USER, password: env.NATS_PASSWORD }),
    redis: openRedis(env.REDIS_URL, service, retry),
  });
}
