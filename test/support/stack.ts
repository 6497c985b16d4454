import { startStack as startProcessStack, type RunningStack } from "../../scripts/processStack";
import { testSettings } from "./testSubgraph";

export type { RunningStack };

/** The whole supergraph as separate processes, with a test's settings (its own databases and streams). */
export function startStack(testId: string, extraEnv: Record<string, string> = {}): Promise<RunningStack> {
  return startProcessStack(testId, {
    env: { ...testSettings(testId), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn", ...extraEnv },
    output: process.env.TEST_LOG_LEVEL ? "inherit" : "ignore",
  });
}
