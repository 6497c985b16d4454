import { ConfigurationError, loadDotEnv, parseEnvironment, type RuntimeEnvironment } from "../environment";
import { DependencyUnavailableError } from "../dependencies";
import type { PrismaLike } from "../database/prismaOptions";
import { startTracing, type TracingOptions } from "../observability/tracing";
import { StartupError } from "./openDependencies";
import { startSubgraph } from "./startSubgraph";
import type { BaseContext, SubgraphDefinition, SubgraphSettings } from "./subgraphDefinition";

/** Prints why a process could not start, one line per cause, and exits. */
export function exitWithStartupFailure(service: string, error: unknown): never {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
  } else if (error instanceof StartupError) {
    for (const failure of error.failures) console.error(`${service}: ${failure}`);
  } else if (error instanceof DependencyUnavailableError) {
    console.error(`${service}: ${error.message}`);
  } else {
    console.error(`${service}: failed to start: ${(error as Error).message ?? String(error)}`);
  }
  process.exit(1);
}

/** Stops on SIGINT or SIGTERM; a second signal, or the timeout, forces the exit. */
export function stopOnSignals(service: string, stop: () => Promise<void>, timeoutSeconds: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    const force = setTimeout(() => {
      console.error(`${service}: still stopping after ${timeoutSeconds}s; exiting`);
      process.exit(1);
    }, timeoutSeconds * 1000);
    force.unref();
    stop().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`${service}: error while stopping (${signal}): ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/**
 * Serves a process until SIGINT or SIGTERM: traces it, starts it, and on the signal stops it
 * and flushes its spans.
 */
export async function serveUntilSignalled(
  service: string,
  settings: RuntimeEnvironment,
  start: () => Promise<{ stop(): Promise<void> }>,
  tracingOptions: Pick<TracingOptions, "contextWithoutExporter"> = {},
): Promise<void> {
  const tracing = startTracing(service, { otlpEndpoint: settings.OTEL_EXPORTER_OTLP_ENDPOINT, ...tracingOptions });
  const running = await start();
  stopOnSignals(
    service,
    async () => {
      await running.stop();
      await tracing.shutdown();
    },
    settings.SHUTDOWN_TIMEOUT_SECONDS,
  );
}

/** The entry point of a subgraph process: `npm run start:<service>`, or a container. */
export function runSubgraphMain<Db extends PrismaLike, Context extends BaseContext, Env extends SubgraphSettings>(
  definition: SubgraphDefinition<Db, Context, Env>,
): void {
  const start = async () => {
    loadDotEnv();
    const settings = parseEnvironment(definition.name, definition.environment);
    await serveUntilSignalled(definition.name, settings, () => startSubgraph(definition, settings));
  };
  start().catch((error: unknown) => exitWithStartupFailure(definition.name, error));
}
