import { infrastructure, type InfrastructureName } from "./infrastructure";

/** What was found on the machine. */
export interface Findings {
  /** Which servers answer where they are expected. */
  reachable: Record<InfrastructureName, boolean>;
  /** Which are expected on this machine (a server elsewhere is not ours to start). */
  local: Record<InfrastructureName, boolean>;
  /** Whether a Docker engine answers (not only the `docker` command). */
  dockerEngine: boolean;
  /** Which can be started from binaries installed on the machine. */
  binaries: Record<InfrastructureName, boolean>;
}

export interface Plan {
  /** Started with `docker compose up`. */
  compose: InfrastructureName[];
  /** Started from the machine's binaries. */
  binaries: InfrastructureName[];
  /** Required, down, and nothing can start them: each with what to do. */
  missing: Array<{ name: InfrastructureName; what: string }>;
  /** Optional and down, with what happens instead. */
  without: InfrastructureName[];
}

/**
 * Decides how to bring up what is down among `wanted`: Docker Compose where a Docker engine runs,
 * else the machine's own binaries; what neither can start is missing, with what to do about it.
 */
export function planServices(wanted: readonly InfrastructureName[], found: Findings): Plan {
  const plan: Plan = { compose: [], binaries: [], missing: [], without: [] };
  for (const name of wanted) {
    if (found.reachable[name]) continue;
    const server = infrastructure[name];
    if (found.local[name] && found.dockerEngine) plan.compose.push(name);
    else if (found.local[name] && found.binaries[name]) plan.binaries.push(name);
    else if (!server.required) plan.without.push(name);
    else if (!found.local[name])
      plan.missing.push({
        name,
        what: `start it there, or set ${server.urlVariable} to where one runs`,
      });
    else plan.missing.push({ name, what: `install Docker (docker compose starts it), or ${server.install}` });
  }
  return plan;
}

/** The plain message for what is missing: one line for each server, saying where and what to do. */
export function describeMissing(plan: Plan, where: (name: InfrastructureName) => string): string {
  return plan.missing
    .map(({ name, what }) => `${infrastructure[name].label} is not reachable at ${where(name)}: ${what}.`)
    .join("\n");
}
