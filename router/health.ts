import type { ReadinessCheck } from "../subgraphs/common/server/health";
import type { ServiceName } from "../subgraphs/common/serviceNames";

/** The router is ready when every subgraph answers its liveness probe. */
export function subgraphChecks(urls: Record<ServiceName, string>): Record<string, ReadinessCheck> {
  return Object.fromEntries(
    Object.entries(urls).map(([name, url]) => [
      name,
      async () => {
        const response = await fetch(new URL("/health/live", url), { signal: AbortSignal.timeout(1500) });
        if (!response.ok) throw new Error(`answered ${response.status}`);
      },
    ]),
  );
}
