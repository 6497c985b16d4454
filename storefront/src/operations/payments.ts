import { graphql } from "../generated";

/**
 * Which provider takes the shop's payments and the public key its client SDK needs: the
 * simulated provider's test cards, or Stripe's Payment Element with the publishable key.
 */
export const PaymentConfigurationQuery = graphql(`
  query StorefrontPaymentConfiguration {
    paymentConfiguration {
      provider
      publishableKey
    }
  }
`);
