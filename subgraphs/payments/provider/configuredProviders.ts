import type { PaymentsEnvironment } from "../environment";
import { PaymentProviders } from "./paymentProviders";
import type { PaymentProvider } from "./paymentProvider";
import type { SimulatedPaymentProvider } from "./simulated/simulatedProvider";
import { StripePaymentProvider } from "./stripe/stripeProvider";

/**
 * The providers the settings configure: Stripe whenever its key is set, the simulated one
 * outside production (or where explicitly allowed for a benchmark); new payments go to
 * PAYMENT_PROVIDER, by default the simulated one.
 */
export function configuredProviders(env: PaymentsEnvironment, simulated: SimulatedPaymentProvider): PaymentProviders {
  const providers: PaymentProvider[] = [];
  if (env.NODE_ENV !== "production" || env.PAYMENT_SIMULATED_IN_PRODUCTION) providers.push(simulated);
  if (env.STRIPE_SECRET_KEY) {
    providers.push(
      new StripePaymentProvider({
        secretKey: env.STRIPE_SECRET_KEY,
        publishableKey: env.STRIPE_PUBLISHABLE_KEY,
        webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? "",
        host: env.STRIPE_API_HOST,
        port: env.STRIPE_API_PORT,
        protocol: env.STRIPE_API_PROTOCOL,
        timeoutMs: env.STRIPE_TIMEOUT_MS,
        maxNetworkRetries: env.STRIPE_MAX_NETWORK_RETRIES,
      }),
    );
  }
  return new PaymentProviders(env.PAYMENT_PROVIDER ?? "simulated", providers);
}
