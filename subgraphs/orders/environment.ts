import type { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { defaultPorts } from "../common/serviceNames";

/** The orders service's settings. */
export const ordersEnvironment = subgraphEnvironment.extend({
  PORT: env.port(defaultPorts.orders),
});

export type OrdersEnvironment = z.infer<typeof ordersEnvironment>;
