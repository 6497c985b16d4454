import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { loadDotEnv, parseEnvironment } from "../subgraphs/common/environment";
import { exitWithStartupFailure, serveUntilSignalled } from "../subgraphs/common/server/runMain";
import { routerEnvironment, type RouterEnvironment } from "./environment";
import { startRouter } from "./startRouter";

/**
 * With ROUTER_WORKERS > 1 the router runs as a Node cluster: the workers share the port (the
 * primary hands out connections) and each keeps its own gateway; Redis makes subscriptions and
 * limits work across them as across replicas. The primary restarts a worker that dies and, on
 * SIGTERM, lets every worker finish what it has in flight.
 */
function supervise(settings: RouterEnvironment): void {
  const workers = settings.ROUTER_WORKERS === "auto" ? availableParallelism() : settings.ROUTER_WORKERS;
  let stopping = false;
  for (let n = 0; n < workers; n += 1) cluster.fork();
  cluster.on("exit", (worker, code) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`router: worker ${worker.process.pid} exited with ${code}; starting another`);
    cluster.fork();
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

async function main(): Promise<void> {
  loadDotEnv();
  // The gateway reports anonymous usage unless told not to; these machines have no route out.
  process.env.APOLLO_TELEMETRY_DISABLED ??= "1";
  const settings = parseEnvironment("router", routerEnvironment);
  if (cluster.isPrimary && settings.ROUTER_WORKERS !== 1) supervise(settings);
  // The router keeps no async context unless spans are exported: trace ids ride on each request.
  else await serveUntilSignalled("router", settings, () => startRouter(settings), { contextWithoutExporter: false });
}

main().catch((error: unknown) => exitWithStartupFailure("router", error));
