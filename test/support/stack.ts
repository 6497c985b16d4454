import { startStack as startProcessStack, type RunningStack } from "../../scripts/processStack";
import { testSettings } from "./testSubgraph";

export type { RunningStack };

/**
 * The whole supergraph as separate processes, with a test's settings (its own databases and
 * streams). TEST_STACK_READY_SECONDS gives the processes longer to start on a crowded machine.
 */
export function startStack(
  testId: string,
  extraEnv: Record<string, string> = {},
  options: { readyTimeoutMs?: number } = {},
): Promise<RunningStack> {
  return startProcessStack(testId, {
    readyTimeoutMs: options.readyTimeoutMs ?? Number(process.env.TEST_STACK_READY_SECONDS ?? 60) * 1000,
    env: { ...testSettings(testId), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn", ...extraEnv },
    output: process.env.TEST_LOG_LEVEL ? "inherit" : "ignore",
  });
}
