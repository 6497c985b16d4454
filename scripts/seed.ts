/**
 * `npm run seed`: loads the demo catalog (nested categories, 216 products with descriptions,
 * prices, images and stock, customers' reviews) through a running router. Safe to run again.
 *
 *   SEED_ROUTER_URL   router to load through (default http://localhost:$PORT/graphql, PORT 4000)
 *   ADMIN_EMAIL / ADMIN_PASSWORD   the back-office account (defaults: the development admin)
 */
import { z } from "zod";
import { env, loadDotEnv, parseEnvironment } from "../subgraphs/common/environment";
import { developmentAdmin } from "../subgraphs/users/environment";
import { seedCatalog } from "./seed/seedCatalog";

const seedEnvironment = z.object({
  PORT: env.port(4000),
  SEED_ROUTER_URL: z.url().optional(),
  ADMIN_EMAIL: z.email().default(developmentAdmin.email),
  ADMIN_PASSWORD: z.string().default(developmentAdmin.password),
});

async function main(): Promise<void> {
  loadDotEnv();
  const settings = parseEnvironment("seed", seedEnvironment);
  const routerUrl = settings.SEED_ROUTER_URL ?? `http://localhost:${settings.PORT}/graphql`;
  const started = performance.now();
  const report = await seedCatalog({
    routerUrl,
    adminEmail: settings.ADMIN_EMAIL,
    adminPassword: settings.ADMIN_PASSWORD,
    log: (line) => console.log(`seed: ${line}`),
  });
  console.log(`seed: done in ${((performance.now() - started) / 1000).toFixed(1)}s (${JSON.stringify(report)})`);
}

main().catch((error: Error) => {
  console.error(`seed: ${error.message}`);
  process.exit(1);
});
