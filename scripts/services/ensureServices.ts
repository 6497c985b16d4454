import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { fromBinaries } from "./fromBinaries";
import { addressOf, infrastructure, type InfrastructureName } from "./infrastructure";
import { describeMissing, planServices, type Plan } from "./plan";
import { lookAround, waitForPort } from "./probe";

const run = promisify(execFile);

/** What cannot be brought up, said plainly: one line for each server. */
export class ServicesUnavailableError extends Error {
  override name = "ServicesUnavailableError";
}

/**
 * Makes sure the servers in `wanted` answer: those that do not are started with Docker Compose
 * where a Docker engine runs, else from the machine's binaries. Throws ServicesUnavailableError,
 * saying what is missing and what to do, when a required one can be started neither way.
 * `npm start`, the test run (jest's global setup) and CI all come through here.
 */
export async function ensureServices(
  wanted: readonly InfrastructureName[],
  options: { log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<Plan> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const where = (name: InfrastructureName) => {
    const { host, port } = addressOf(infrastructure[name], env);
    return `${host}:${port} (${infrastructure[name].urlVariable})`;
  };
  const plan = planServices(wanted, await lookAround(env));
  if (plan.missing.length > 0) throw new ServicesUnavailableError(describeMissing(plan, where));

  if (plan.compose.length > 0) {
    log(`starting ${plan.compose.map((name) => infrastructure[name].label).join(", ")} with docker compose`);
    try {
      await run("docker", ["compose", "up", "--detach", "--wait", ...plan.compose], {
        cwd: projectRoot,
        timeout: 300_000,
      });
    } catch (error) {
      const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split("\n").slice(-3);
      throw new ServicesUnavailableError(`docker compose could not start them:\n${detail.join("\n")}`);
    }
  }
  for (const name of plan.binaries) {
    log(`starting ${infrastructure[name].label}`);
    try {
      await fromBinaries[name].start(addressOf(infrastructure[name], env).port);
    } catch (error) {
      throw new ServicesUnavailableError(
        `${infrastructure[name].label} could not be started: ${(error as Error).message}`,
      );
    }
  }
  for (const name of [...plan.compose, ...plan.binaries]) {
    const { host, port } = addressOf(infrastructure[name], env);
    if (!(await waitForPort(host, port, 30_000)))
      throw new ServicesUnavailableError(`${infrastructure[name].label} did not come up at ${where(name)}.`);
  }
  for (const name of plan.without)
    log(
      `${infrastructure[name].label} does not answer at ${where(name)}: ${infrastructure[name].otherwise ?? "going on without it"}`,
    );
  return plan;
}
