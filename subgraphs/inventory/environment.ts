import type { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { defaultPorts } from "../common/serviceNames";

/** The inventory service's settings. */
export const inventoryEnvironment = subgraphEnvironment.extend({
  PORT: env.port(defaultPorts.inventory),
  /** The products subgraph, asked directly about a product whose catalog event has not arrived yet. */
  PRODUCTS_URL: env.url(`http://localhost:${defaultPorts.products}/graphql`),
});

export type InventoryEnvironment = z.infer<typeof inventoryEnvironment>;
