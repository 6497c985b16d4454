/**
 * The storefront server as its own process (`npm run start:storefront`; `npm start` runs it
 * beside the router). Settings from the environment, validated first.
 */
import { loadDotEnv, parseEnvironment } from "../../subgraphs/common/environment";
import { storefrontEnvironment } from "./environment";
import { startStorefront } from "./server";

async function main(): Promise<void> {
  loadDotEnv();
  const settings = parseEnvironment("storefront", storefrontEnvironment);
  const storefront = await startStorefront(settings);
  console.log(`storefront: ready at ${storefront.url}`);
  const stop = () => void storefront.stop().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
