import { connect } from "nats";
import { dropDatabase, listDatabases } from "../../subgraphs/common/database/provision";
import { testPrefix } from "./testNames";

const postgresUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

/** Removes databases and streams that an interrupted earlier run left behind. */
export default async function globalSetup(): Promise<void> {
  process.env.APOLLO_TELEMETRY_DISABLED = "1";
  for (const name of await listDatabases(postgresUrl, testPrefix)) {
    await dropDatabase(`${postgresUrl}/${name}`);
  }
  const nats = await connect({ servers: natsUrl });
  const jsm = await nats.jetstreamManager();
  for await (const stream of jsm.streams.list()) {
    if (stream.config.name.startsWith(testPrefix.toUpperCase())) await jsm.streams.delete(stream.config.name);
  }
  await nats.close();
}
