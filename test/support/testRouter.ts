import { parseEnvironment } from "../../subgraphs/common/environment";
import { createLogger } from "../../subgraphs/common/logger";
import { serviceNames, type ServiceName } from "../../subgraphs/common/serviceNames";
import { routerEnvironment, startRouter, type RunningRouter } from "../../router";

/** Starts the router in this process, on any free port, in front of the given subgraph URLs. */
export async function startTestRouter(
  urls: Partial<Record<ServiceName, string>>,
  overrides: Record<string, string> = {},
): Promise<RunningRouter> {
  const subgraphUrls = Object.fromEntries(
    // Subgraphs a test does not start point at a closed port: a query that needs them fails loudly.
    serviceNames.map((name) => [`${name.toUpperCase()}_URL`, urls[name] ?? "http://127.0.0.1:9/graphql"]),
  );
  const settings = parseEnvironment("router", routerEnvironment, {
    ...process.env,
    NODE_ENV: "test",
    PORT: "0",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    LOG_PRETTY: "false",
    ...subgraphUrls,
    ...overrides,
  });
  return startRouter(settings, { logger: createLogger("router", { level: settings.LOG_LEVEL }) });
}
