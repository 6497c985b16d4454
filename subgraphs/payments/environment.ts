import type { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { defaultPorts } from "../common/serviceNames";

/** The payments service's settings. */
export const paymentsEnvironment = subgraphEnvironment.extend({
  PORT: env.port(defaultPorts.payments),
});

export type PaymentsEnvironment = z.infer<typeof paymentsEnvironment>;
