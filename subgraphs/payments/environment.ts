import { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { defaultPorts } from "../common/serviceNames";

/** The payments service's settings. */
export const paymentsEnvironment = subgraphEnvironment
  .extend({
    PORT: env.port(defaultPorts.payments),
    /** Which payment provider to talk to. Only the simulated one exists; outside production it is the default. */
    PAYMENT_PROVIDER: z.enum(["simulated"]).optional(),
    /** First wait before retrying a capture or refund after a transient provider error; it doubles each time. */
    PAYMENT_RETRY_BASE_MS: z.coerce.number().int().min(10).default(500),
    PAYMENT_RETRY_MAX_MS: z.coerce.number().int().min(10).default(30_000),
    /** How often due captures and refunds are looked for (new ones are tried at once). */
    PAYMENT_WORKER_INTERVAL_MS: z.coerce.number().int().min(10).default(500),
  })
  .superRefine((settings, context) => {
    if (settings.NODE_ENV === "production" && !settings.PAYMENT_PROVIDER) {
      context.addIssue({
        code: "custom",
        path: ["PAYMENT_PROVIDER"],
        message: "must be set in production (the simulated provider never runs by default there)",
      });
    }
  });

export type PaymentsEnvironment = z.infer<typeof paymentsEnvironment>;
