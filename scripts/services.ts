/**
 * `npx tsx scripts/services.ts [--mail]`: makes sure PostgreSQL, Redis and NATS (and, with
 * `--mail`, the Mailpit mail catcher) answer, starting what is down with Docker Compose or the
 * machine's binaries, or says plainly what is missing. CI runs it before the tests; `npm start`
 * and `npm test` do the same by themselves.
 */
import { loadDotEnv } from "../subgraphs/common/environment";
import { ensureServices, ServicesUnavailableError } from "./services/ensureServices";
import type { InfrastructureName } from "./services/infrastructure";

async function main(): Promise<void> {
  loadDotEnv();
  const wanted: InfrastructureName[] = ["postgres", "redis", "nats"];
  if (process.argv.includes("--mail")) wanted.push("mailpit");
  await ensureServices(wanted, { log: (line) => console.log(`services: ${line}`) });
}

main().catch((error: Error) => {
  console.error(error instanceof ServicesUnavailableError ? error.message : `services: ${error.message}`);
  process.exit(1);
});
