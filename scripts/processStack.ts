import net from "node:net";
import { connect } from "nats";
import { dropDatabase } from "../subgraphs/common/database/provision";
import { databaseUrlFor } from "../subgraphs/common/database/databaseUrl";
import { deleteStreams } from "../subgraphs/common/events/streams";
import { serviceNames, type ServiceName } from "../subgraphs/common/serviceNames";
import { startProcess, stopAll, waitUntilReady, type ManagedProcess, type Runtime } from "./processGroup";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export interface RunningStack {
  routerUrl: string;
  subgraphUrls: Record<ServiceName, string>;
  processes: ManagedProcess[];
  /** The database URL of a service of this stack, for seeding and checking. */
  databaseUrl(service: ServiceName): string;
  /** SIGTERM to every process; resolves with their exit codes. */
  stop(): Promise<Record<string, number | null>>;
  /** Stops, then drops the stack's databases and streams. */
  destroy(): Promise<void>;
}

const postgresUrl = () => process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

export interface StackOptions {
  /** Settings for every process. */
  env: NodeJS.ProcessEnv;
  /** Print the processes' output (otherwise it is dropped). */
  output?: "inherit" | "ignore";
  /** Run TypeScript through tsx (default) or the compiled build in dist/ (`npm run build` first). */
  runtime?: Runtime;
  /** Options for node itself, such as `--cpu-prof` (not all of them are allowed in NODE_OPTIONS). */
  nodeArgs?: readonly string[];
  /** How long each process may take to become ready (60 s); a loaded machine migrates slowly. */
  readyTimeoutMs?: number;
}

/**
 * The whole supergraph as separate processes, the way `npm start` runs it, on free ports and
 * with databases, streams and Redis keys of its own (named after `stackId`). For end-to-end
 * tests and benchmarks.
 */
export async function startStack(stackId: string, options: StackOptions): Promise<RunningStack> {
  const ports = Object.fromEntries(
    await Promise.all(serviceNames.map(async (name) => [name, await freePort()] as const)),
  ) as Record<ServiceName, number>;
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    DATABASE_PREFIX: `${stackId}_`,
    DATABASE_URL: "",
    NATS_NAMESPACE: stackId,
    REDIS_KEY_PREFIX: `${stackId}:`,
    APOLLO_TELEMETRY_DISABLED: "1",
    USERS_JWKS_URL: `http://localhost:${ports.users}/.well-known/jwks.json`,
    PRODUCTS_URL: `http://localhost:${ports.products}/graphql`,
    INVENTORY_URL: `http://localhost:${ports.inventory}/graphql`,
    USERS_URL: `http://localhost:${ports.users}/graphql`,
  };
  const output = options.output ?? "ignore";
  const subgraphUrls = Object.fromEntries(
    serviceNames.map((name) => [name, `http://localhost:${ports[name]}/graphql`]),
  ) as Record<ServiceName, string>;
  const processes: ManagedProcess[] = [];
  let exitCodes: Record<string, number | null> | undefined;

  const stack: RunningStack = {
    routerUrl: "",
    subgraphUrls,
    processes,
    databaseUrl: (service) => databaseUrlFor(service, { POSTGRES_URL: postgresUrl(), DATABASE_PREFIX: `${stackId}_` }),
    async stop() {
      if (exitCodes) return exitCodes;
      await stopAll(processes);
      exitCodes = Object.fromEntries(processes.map((managed) => [managed.name, managed.child.exitCode]));
      return exitCodes;
    },
    async destroy() {
      await stack.stop();
      for (const name of serviceNames) await dropDatabase(stack.databaseUrl(name));
      const nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
      await deleteStreams(await nats.jetstreamManager(), stackId);
      await nats.close();
    },
  };

  try {
    await Promise.all(
      serviceNames.map(async (name) => {
        const managed = startProcess(
          name,
          `subgraphs/${name}/main.ts`,
          { ...env, PORT: String(ports[name]) },
          output,
          options.runtime,
          options.nodeArgs,
        );
        processes.push(managed);
        await waitUntilReady(managed, `http://localhost:${ports[name]}/health/ready`, options.readyTimeoutMs ?? 60_000);
      }),
    );
    const routerPort = await freePort();
    const urls = Object.fromEntries(serviceNames.map((name) => [`${name.toUpperCase()}_URL`, subgraphUrls[name]]));
    const router = startProcess(
      "router",
      "router/main.ts",
      { ...env, ...urls, PORT: String(routerPort) },
      output,
      options.runtime,
      options.nodeArgs,
    );
    processes.push(router);
    await waitUntilReady(router, `http://localhost:${routerPort}/health/ready`, options.readyTimeoutMs ?? 60_000);
    stack.routerUrl = `http://localhost:${routerPort}/graphql`;
    return stack;
  } catch (error) {
    await stack.destroy();
    throw error;
  }
}
