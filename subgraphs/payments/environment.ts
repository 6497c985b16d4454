import { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { defaultPorts } from "../common/serviceNames";
import { providerNames } from "./provider/paymentProvider";

/** The payments service's settings. */
export const paymentsEnvironment = subgraphEnvironment
  .extend({
    PORT: env.port(defaultPorts.payments),
    /**
     * The provider new payments by token and new saved cards go to: "stripe", or "simulated" (the
     * default outside production, refused in production). Stripe is also configured, for the
     * payments and cards made with it, whenever STRIPE_SECRET_KEY is set.
     */
    PAYMENT_PROVIDER: z.enum(providerNames).optional(),
    /** Only for benchmarks and load tests: lets production mode run the simulated provider, which takes no money. */
    PAYMENT_SIMULATED_IN_PRODUCTION: env.boolean(false),
    /** Stripe's secret API key (`sk_live_…`, `sk_test_…`, or a restricted `rk_…`). Never logged. */
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(live|test)_\S+$/, "must be a Stripe secret key (sk_live_…, sk_test_… or rk_…)")
      .optional(),
    /**
     * Stripe's publishable key (`pk_live_…`, `pk_test_…`), which checkouts give Stripe.js to collect
     * cards (`paymentConfiguration`). Public by design; without it a storefront cannot show Stripe's
     * Payment Element.
     */
    STRIPE_PUBLISHABLE_KEY: z
      .string()
      .regex(/^pk_(live|test)_\S+$/, "must be a Stripe publishable key (pk_live_… or pk_test_…)")
      .optional(),
    /** The signing secret of the webhook endpoint (`whsec_…`) that Stripe posts to `/webhooks/stripe`. Never logged. */
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\S+$/, "must be a webhook signing secret (whsec_…)")
      .optional(),
    /** Where Stripe's API is: set only to point the SDK at a local server in tests. */
    STRIPE_API_HOST: z.string().min(1).optional(),
    STRIPE_API_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    STRIPE_API_PROTOCOL: z.enum(["http", "https"]).optional(),
    /** Each request to Stripe's API may take this long; the SDK retries what it may with the same key. */
    STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
    /** First wait before retrying a capture or refund after a transient provider error; it doubles each time. */
    PAYMENT_RETRY_BASE_MS: z.coerce.number().int().min(10).default(500),
    PAYMENT_RETRY_MAX_MS: z.coerce.number().int().min(10).default(30_000),
    /** How often due captures, refunds and reconciliations are looked for (new ones are tried at once). */
    PAYMENT_WORKER_INTERVAL_MS: z.coerce.number().int().min(10).default(500),
    /**
     * How long a payment keeps trying a provider that fails or does not answer: then it gives up,
     * and its order is cancelled (PAYMENT_TIMEOUT) with its stock released, rather than held for
     * the whole payment window while the provider is down.
     */
    PAYMENT_UNREACHABLE_WINDOW_SECONDS: z.coerce.number().positive().default(180),
    /**
     * How long a call to the provider may go unanswered (or a payment wait for its customer)
     * before the provider is asked where it stands. Longer than a call can take with its retries,
     * and than Stripe's search needs to see a new payment (about a minute).
     */
    PAYMENT_RECONCILE_AFTER_SECONDS: z.coerce.number().min(0.1).default(120),
    /**
     * Guest order access tokens (`Order.payment(accessToken:)`) that open nothing, per client and
     * hour: then the client is RATE_LIMITED, its tokens no longer checked, until the hour ends.
     */
    GUEST_ACCESS_FAILURES_PER_CLIENT_PER_HOUR: z.coerce.number().int().min(1).default(20),
  })
  .superRefine((settings, context) => {
    const production = settings.NODE_ENV === "production";
    const problem = (path: string, message: string) => context.addIssue({ code: "custom", path: [path], message });
    if (production && !settings.PAYMENT_PROVIDER) {
      problem("PAYMENT_PROVIDER", "must be set in production (stripe)");
    }
    if (production && settings.PAYMENT_PROVIDER === "simulated" && !settings.PAYMENT_SIMULATED_IN_PRODUCTION) {
      problem(
        "PAYMENT_PROVIDER",
        "the simulated provider takes no money and is refused in production: set PAYMENT_PROVIDER=stripe with STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET",
      );
    }
    if (settings.PAYMENT_PROVIDER === "stripe" && !settings.STRIPE_SECRET_KEY) {
      problem("STRIPE_SECRET_KEY", "is required with PAYMENT_PROVIDER=stripe");
    }
    // Keys of one mode: a live publishable key beside a test secret key makes PaymentMethods the API cannot see.
    const modeOf = (key: string | undefined) => /_(live|test)_/.exec(key ?? "")?.[1];
    if (
      settings.STRIPE_PUBLISHABLE_KEY &&
      settings.STRIPE_SECRET_KEY &&
      modeOf(settings.STRIPE_PUBLISHABLE_KEY) !== modeOf(settings.STRIPE_SECRET_KEY)
    ) {
      problem("STRIPE_PUBLISHABLE_KEY", "must be of the same mode (live or test) as STRIPE_SECRET_KEY");
    }
    // Stripe tells the outcome of payments that wait for their customer only by webhook.
    if (settings.STRIPE_SECRET_KEY && !settings.STRIPE_WEBHOOK_SECRET) {
      problem("STRIPE_WEBHOOK_SECRET", "is required with STRIPE_SECRET_KEY");
    }
  });

export type PaymentsEnvironment = z.infer<typeof paymentsEnvironment>;
