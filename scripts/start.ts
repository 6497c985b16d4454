/**
 * `npm start`: brings up PostgreSQL, Redis, NATS and the mail catcher when they are down (or says
 * what is missing), migrates and starts the six subgraphs and the router as separate processes,
 * loads the demo catalog into an empty shop in development, starts the storefront (storefront/)
 * against the router, prints both URLs once they answer, and stops everything on Ctrl-C.
 */
import { loadDotEnv, parseEnvironment } from "../subgraphs/common/environment";
import { serviceNames } from "../subgraphs/common/serviceNames";
import { developmentAdmin } from "../subgraphs/users/environment";
import { seedWhenEmpty } from "./seed/seedWhenEmpty";
import { ensureServices, ServicesUnavailableError } from "./services/ensureServices";
import { servicePort, stackEnvironment, type StackEnvironment } from "./stackEnvironment";
import { startProcess, stopAll, waitUntilReady, type ManagedProcess } from "./processGroup";

/** In development, an empty shop gets the demo catalog, so Sandbox shows products at once. */
async function seedDemoCatalog(settings: StackEnvironment): Promise<void> {
  if (settings.NODE_ENV !== "development") return;
  const started = performance.now();
  const outcome = await seedWhenEmpty({
    routerUrl: `http://localhost:${settings.PORT}/graphql`,
    adminEmail: process.env.ADMIN_EMAIL ?? developmentAdmin.email,
    adminPassword: process.env.ADMIN_PASSWORD ?? developmentAdmin.password,
    log: (line) => console.log(`npm start: demo catalog: ${line}`),
  });
  if (outcome === "seeded")
    console.log(
      `npm start: the shop was empty: demo catalog loaded in ${((performance.now() - started) / 1000).toFixed(1)}s`,
    );
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  loadDotEnv();
  const settings = parseEnvironment("npm start", stackEnvironment);
  try {
    await ensureServices(["postgres", "redis", "nats", "mailpit"], {
      log: (line) => console.log(`npm start: ${line}`),
    });
  } catch (error) {
    console.error(error instanceof ServicesUnavailableError ? error.message : `npm start: ${(error as Error).message}`);
    process.exit(1);
  }
  const baseEnv: NodeJS.ProcessEnv = {
    USERS_JWKS_URL: `http://localhost:${servicePort(settings, "users")}/.well-known/jwks.json`,
    PRODUCTS_URL: `http://localhost:${servicePort(settings, "products")}/graphql`,
    INVENTORY_URL: `http://localhost:${servicePort(settings, "inventory")}/graphql`,
    USERS_URL: `http://localhost:${servicePort(settings, "users")}/graphql`,
    ...process.env,
    APOLLO_TELEMETRY_DISABLED: process.env.APOLLO_TELEMETRY_DISABLED ?? "1",
    LOG_PRETTY: process.env.LOG_PRETTY ?? (process.stdout.isTTY ? "true" : "false"),
  };
  const processes: ManagedProcess[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping the stack...");
    await stopAll(processes);
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  const readyWithin = (settings.STARTUP_TIMEOUT_SECONDS + 30) * 1000;
  const routerUrls: Record<string, string> = {};
  try {
    await Promise.all(
      serviceNames.map(async (name) => {
        const port = servicePort(settings, name);
        routerUrls[`${name.toUpperCase()}_URL`] = `http://localhost:${port}/graphql`;
        const managed = startProcess(name, `subgraphs/${name}/main.ts`, { ...baseEnv, PORT: String(port) });
        processes.push(managed);
        await waitUntilReady(managed, `http://localhost:${port}/health/ready`, readyWithin);
      }),
    );
    const router = startProcess("router", "router/main.ts", { ...baseEnv, ...routerUrls, PORT: String(settings.PORT) });
    processes.push(router);
    await waitUntilReady(router, `http://localhost:${settings.PORT}/health/ready`, readyWithin);
    await seedDemoCatalog(settings);
    const storefront = startProcess("storefront", "storefront/server/main.ts", {
      ...baseEnv,
      STOREFRONT_PORT: String(settings.STOREFRONT_PORT),
      ROUTER_URL: `http://localhost:${settings.PORT}/graphql`,
    });
    processes.push(storefront);
    await waitUntilReady(storefront, `http://localhost:${settings.STOREFRONT_PORT}/health/ready`, readyWithin);
  } catch (error) {
    console.error(`npm start: ${(error as Error).message}`);
    await shutdown(1);
    return;
  }
  for (const managed of processes) {
    void managed.exited.then((code) => {
      if (!stopping) {
        console.error(`npm start: ${managed.name} stopped unexpectedly (exit code ${code}); stopping the stack`);
        void shutdown(1);
      }
    });
  }
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(
    `\nThe supergraph is up in ${seconds}s: http://localhost:${settings.PORT}/graphql (open it in a browser for Apollo Sandbox).` +
      `\nThe storefront: http://localhost:${settings.STOREFRONT_PORT}/ . Ctrl-C stops both.\n`,
  );
}

void main();
