import type { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { defaultPorts } from "../common/serviceNames";

/** The inventory service's settings. */
export const inventoryEnvironment = subgraphEnvironment.extend({
  PORT: env.port(defaultPorts.inventory),
});

export type InventoryEnvironment = z.infer<typeof inventoryEnvironment>;
