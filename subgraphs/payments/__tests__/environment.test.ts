import { ConfigurationError, parseEnvironment } from "../../common/environment";
import { paymentsEnvironment } from "../environment";
import { configuredProviders } from "../provider/configuredProviders";
import { SimulatedPaymentProvider } from "../provider/simulated/simulatedProvider";

const parse = (values: Record<string, string>) => parseEnvironment("payments", paymentsEnvironment, values);
const problemsOf = (values: Record<string, string>): string[] => {
  try {
    parse(values);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return error.problems;
  }
};

const stripe = { STRIPE_SECRET_KEY: "sk_live_51Hsecretvalue", STRIPE_WEBHOOK_SECRET: "whsec_secretvalue" };

describe("the payments service's settings", () => {
  it("refuses the simulated provider in production, saying what to set instead", () => {
    expect(problemsOf({ NODE_ENV: "production", PAYMENT_PROVIDER: "simulated" })).toEqual([
      expect.stringMatching(
        /^PAYMENT_PROVIDER: the simulated provider takes no money and is refused in production: set PAYMENT_PROVIDER=stripe/,
      ),
    ]);
    expect(problemsOf({ NODE_ENV: "production" })).toEqual(["PAYMENT_PROVIDER: must be set in production (stripe)"]);
    // A benchmark may run production mode without taking money, when it says so.
    expect(
      problemsOf({ NODE_ENV: "production", PAYMENT_PROVIDER: "simulated", PAYMENT_SIMULATED_IN_PRODUCTION: "true" }),
    ).toEqual([]);
  });

  it("needs Stripe's secret key and webhook secret to select Stripe, and checks their form without quoting them", () => {
    expect(problemsOf({ NODE_ENV: "production", PAYMENT_PROVIDER: "stripe" })).toEqual([
      "STRIPE_SECRET_KEY: is required with PAYMENT_PROVIDER=stripe",
    ]);
    expect(problemsOf({ PAYMENT_PROVIDER: "stripe", STRIPE_SECRET_KEY: stripe.STRIPE_SECRET_KEY })).toEqual([
      "STRIPE_WEBHOOK_SECRET: is required with STRIPE_SECRET_KEY",
    ]);
    const problems = problemsOf({
      PAYMENT_PROVIDER: "stripe",
      STRIPE_SECRET_KEY: "pk_live_publishable123",
      STRIPE_WEBHOOK_SECRET: "secret123",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY: must be a Stripe secret key/),
      expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: must be a webhook signing secret/),
    ]);
    expect(problems.join("\n")).not.toMatch(/publishable123|secret123/);
    expect(problemsOf({ NODE_ENV: "production", PAYMENT_PROVIDER: "stripe", ...stripe })).toEqual([]);
  });

  it("takes Stripe's publishable key for checkouts: a pk_ key of the secret key's mode, never a secret key", () => {
    const production = { NODE_ENV: "production", PAYMENT_PROVIDER: "stripe", ...stripe };
    expect(problemsOf({ ...production, STRIPE_PUBLISHABLE_KEY: "pk_live_51Hpublic" })).toEqual([]);
    const secretAsPublic = problemsOf({ ...production, STRIPE_PUBLISHABLE_KEY: "sk_live_51Hsecretvalue" });
    expect(secretAsPublic).toEqual([
      expect.stringMatching(/^STRIPE_PUBLISHABLE_KEY: must be a Stripe publishable key/),
    ]);
    expect(secretAsPublic.join("\n")).not.toMatch(/secretvalue/);
    expect(problemsOf({ ...production, STRIPE_PUBLISHABLE_KEY: "pk_test_51Hpublic" })).toEqual([
      "STRIPE_PUBLISHABLE_KEY: must be of the same mode (live or test) as STRIPE_SECRET_KEY",
    ]);
    const simulated = new SimulatedPaymentProvider();
    const providers = configuredProviders(
      parse({ ...production, STRIPE_PUBLISHABLE_KEY: "pk_live_51Hpublic" }),
      simulated,
    );
    expect(providers.default.publishableKey).toBe("pk_live_51Hpublic");
    expect(configuredProviders(parse({}), simulated).default.publishableKey).toBeUndefined();
  });

  it("configures Stripe whenever its key is set, the simulated provider only outside production, and sends new payments to PAYMENT_PROVIDER", () => {
    const simulated = new SimulatedPaymentProvider();
    const production = configuredProviders(
      parse({ NODE_ENV: "production", PAYMENT_PROVIDER: "stripe", ...stripe }),
      simulated,
    );
    expect(production.default.name).toBe("stripe");
    expect(production.find("simulated")).toBeUndefined();
    const development = configuredProviders(parse({ ...stripe }), simulated);
    expect(development.default).toBe(simulated);
    // Cards saved with Stripe are still charged there while new payments use the simulated provider.
    expect(development.find("stripe")?.name).toBe("stripe");
    expect(configuredProviders(parse({}), simulated).find("stripe")).toBeUndefined();
  });

  it("keeps the unreachable provider's window short, and reconciles after two minutes, by default", () => {
    const settings = parse({});
    expect(settings.PAYMENT_UNREACHABLE_WINDOW_SECONDS).toBe(180);
    expect(settings.PAYMENT_RECONCILE_AFTER_SECONDS).toBe(120);
    expect(settings.STRIPE_TIMEOUT_MS).toBe(10_000);
  });
});
