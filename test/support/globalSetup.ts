import { connect } from "nats";
import { ensureServices } from "../../scripts/services/ensureServices";
import { dropDatabase, listDatabases } from "../../subgraphs/common/database/provision";
import { createTemplateDatabases } from "./templateDatabases";
import { isStale, testPrefix } from "./testNames";

const postgresUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

/**
 * Makes sure PostgreSQL, Redis and NATS run (starting what is down, or saying what is missing),
 * then removes databases and streams that an interrupted earlier run left behind: only those
 * older than an hour, since another test run may be using the machine at the same time; then
 * makes this run's migrated template databases (templateDatabases.ts).
 */
export default async function globalSetup(): Promise<void> {
  process.env.APOLLO_TELEMETRY_DISABLED = "1";
  await ensureServices(["postgres", "redis", "nats"], { log: (line) => console.log(`tests: ${line}`) });
  for (const name of await listDatabases(postgresUrl, testPrefix)) {
    if (isStale(name)) await dropDatabase(`${postgresUrl}/${name}`);
  }
  const nats = await connect({ servers: natsUrl });
  const jsm = await nats.jetstreamManager();
  for await (const stream of jsm.streams.list()) {
    if (stream.config.name.startsWith(testPrefix.toUpperCase()) && isStale(stream.config.name))
      await jsm.streams.delete(stream.config.name);
  }
  await nats.close();
  await createTemplateDatabases();
}
