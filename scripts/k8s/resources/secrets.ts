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

function databaseUrlOf(service: ServiceName): string {
  return `postgres://${service}:${databasePassword(service)}@postgres-${service}:5432/${databasePrefix}${service}`;
}

export function exampleSecrets(): ISecret[] {
  const redisPassword = "CHANGE_ME_redis_password";
  const serviceSecrets = serviceNames.map((service) => {
    const values: Record<string, string> = { DATABASE_URL: databaseUrlOf(service) };
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
      });
    }
    if (service === "notifications")
      values.SMTP_URL = "smtp://CHANGE_ME_user:CHANGE_ME_password@smtp.commerce.example:587";
    return exampleSecret(`${service}-secrets`, "config", values);
  });
  return [
    exampleSecret("commerce-secrets", "config", { REDIS_URL: `redis://:${redisPassword}@redis:6379` }),
    ...serviceSecrets,
    ...serviceNames.map((service) =>
      exampleSecret(`postgres-${service}`, "database", { POSTGRES_PASSWORD: databasePassword(service) }),
    ),
    exampleSecret("redis", "cache", { REDIS_PASSWORD: redisPassword }),
  ];
}
