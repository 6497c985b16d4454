/** The Secrets, with example values that a deployment replaces. */
import type { ISecret } from "kubernetes-models/v1/Secret" with { "resolution-mode": "import" };
import { databasePrefix, type Component, labels } from "./conventions";
import { serviceNames, type ServiceName } from "../../../subgraphs/common/serviceNames";

/** Marks every Secret of the base: its values are examples, and the prod overlay leaves them out. */
export const exampleSecretAnnotation = "commerce/example-values";

function exampleSecret(name: string, component: Component, values: Record<string, string>): ISecret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      labels: labels(name, component),
      annotations: { [exampleSecretAnnotation]: "replace every value before deploying" },
    },
    type: "Opaque",
    stringData: values,
  };
}

function databasePassword(service: ServiceName): string {
  return `CHANGE_ME_${service}_db_password`;
}

function natsPasswordOf(service: ServiceName): string {
  return `CHANGE_ME_${service}_nats_password`;
}

/** The Secret holding the NATS operator's password. */
export const natsOperatorSecret = "nats-operator";

function databaseUrlOf(service: ServiceName): string {
  return `postgres://${service}:${databasePassword(service)}@postgres-${service}:5432/${databasePrefix}${service}`;
}

export function exampleSecrets(): ISecret[] {
  const redisPassword = "CHANGE_ME_redis_password";
  const serviceSecrets = serviceNames.map((service) => {
    const values: Record<string, string> = {
      DATABASE_URL: databaseUrlOf(service),
      // The service's NATS user is its name; the nats pods read this password too (nats.ts).
      NATS_PASSWORD: natsPasswordOf(service),
    };
    if (service === "users") {
      Object.assign(values, {
        JWT_PRIVATE_KEY: "CHANGE_ME: an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519)",
        ADMIN_EMAIL: "admin@commerce.example",
        ADMIN_PASSWORD: "CHANGE_ME_admin_password",
      });
    }
    if (service === "payments") {
      Object.assign(values, {
        STRIPE_SECRET_KEY: "sk_live_CHANGE_ME",
        STRIPE_WEBHOOK_SECRET: "whsec_CHANGE_ME",
        // Public (checkouts give it to Stripe.js through `paymentConfiguration`), but of the same
        // Stripe account and mode as the secret key, so it is set beside it. Optional: without it
        // payments work, but a storefront cannot show Stripe's Payment Element.
        STRIPE_PUBLISHABLE_KEY: "pk_live_CHANGE_ME",
      });
    }
    if (service === "notifications")
      values.SMTP_URL = "smtp://CHANGE_ME_user:CHANGE_ME_password@smtp.commerce.example:587";
    return exampleSecret(`${service}-secrets`, "config", values);
  });
  return [
    exampleSecret("commerce-secrets", "config", {
      REDIS_URL: `redis://:${redisPassword}@redis:6379`,
      // Shared by the router and every subgraph: the router credential (at least 32 characters).
      ROUTER_SIGNING_SECRET: "CHANGE_ME_router_signing_secret_at_least_32_characters",
    }),
    // 32 bytes in base64 that say what to put instead (openssl rand -base64 32).
    exampleSecret("secret-links", "config", { SECRET_SEALING_KEY: "CHANGE_ME_with_openssl_rand_base64_32_00000=" }),
    ...serviceSecrets,
    // The NATS operator (the dead-letter CLI): read by the nats pods, and by whoever runs the CLI.
    exampleSecret(natsOperatorSecret, "messaging", { NATS_OPERATOR_PASSWORD: "CHANGE_ME_nats_operator_password" }),
    ...serviceNames.map((service) =>
      exampleSecret(`postgres-${service}`, "database", { POSTGRES_PASSWORD: databasePassword(service) }),
    ),
    exampleSecret("redis", "cache", { REDIS_PASSWORD: redisPassword }),
  ];
}
