import { loadDotEnv, parseEnvironment } from "../subgraphs/common/environment";
import { exitWithStartupFailure, stopOnSignals } from "../subgraphs/common/server/runMain";
import { routerEnvironment } from "./environment";
import { startRouter } from "./startRouter";

async function main(): Promise<void> {
  loadDotEnv();
  // The gateway reports anonymous usage unless told not to; these machines have no route out.
  process.env.APOLLO_TELEMETRY_DISABLED ??= "1";
  const settings = parseEnvironment("router", routerEnvironment);
  const router = await startRouter(settings);
  stopOnSignals("router", router.stop, settings.SHUTDOWN_TIMEOUT_SECONDS);
}

main().catch((error: unknown) => exitWithStartupFailure("router", error));
