import type { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { defaultPorts } from "../common/serviceNames";

/** The products service's settings. */
export const productsEnvironment = subgraphEnvironment.extend({
  PORT: env.port(defaultPorts.products),
});

export type ProductsEnvironment = z.infer<typeof productsEnvironment>;
