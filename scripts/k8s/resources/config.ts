/** The settings that are not secret, shared by the router and every subgraph. */
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap" with { "resolution-mode": "import" };
import { labels } from "./conventions";
import { defaultPorts, serviceNames } from "../../../subgraphs/common/serviceNames";

export function commerceConfig(): IConfigMap {
  const subgraphUrls = Object.fromEntries(
    serviceNames.map((name) => [`${name.toUpperCase()}_URL`, `http://${name}:${defaultPorts[name]}/graphql`]),
  );
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "commerce-config", labels: labels("commerce-config", "config") },
    data: {
      NODE_ENV: "production",
      LOG_LEVEL: "info",
      REDIS_KEY_PREFIX: "commerce:",
      NATS_URL: "nats://nats:4222",
      NATS_NAMESPACE: "commerce",
      // Every stream on all three JetStream nodes: one node can be lost or drained without losing events.
      NATS_STREAM_REPLICAS: "3",
      USERS_JWKS_URL: `http://users:${defaultPorts.users}/.well-known/jwks.json`,
      JWT_ISSUER: "commerce-users",
      JWT_AUDIENCE: "commerce-api",
      // Pods listen on every interface of their own network namespace; the Service is the way in.
      HOST: "0.0.0.0",
      // One proxy in front of each process: the ingress controller in front of the router (which
      // appends the client's address), the router in front of the subgraphs (which answer only
      // requests it signed). Any address a client writes itself is further left, and ignored.
      TRUST_PROXY: "1",
      ...subgraphUrls,
      // Kubernetes scales pods, not processes: one process a pod keeps CPU autoscaling and memory limits exact.
      ROUTER_WORKERS: "1",
      // Anonymous catalog pages are the same for every visitor: served again for 2 seconds.
      PUBLIC_RESPONSE_CACHE_SECONDS: "2",
      CORS_ORIGINS: "https://shop.commerce.example",
      // Real payments: the keys and the webhook secret come from the payments-secrets Secret.
      PAYMENT_PROVIDER: "stripe",
      MAIL_FROM: "Commerce <no-reply@commerce.example>",
      STOREFRONT_URL: "https://shop.commerce.example",
      APOLLO_TELEMETRY_DISABLED: "1",
      CHECKPOINT_DISABLE: "1",
    },
  };
}
