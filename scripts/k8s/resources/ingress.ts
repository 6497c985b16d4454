/** The public entries: the router's /graphql (HTTP and WebSocket), and the payment provider's webhooks. */
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress" with { "resolution-mode": "import" };
import { defaultPorts } from "../../../subgraphs/common/serviceNames";
import { routerPort, labels } from "./conventions";

/** The namespace of the ingress controller (ingress-nginx's own), which alone may reach payments' webhook from outside. */
export const ingressControllerNamespace = "ingress-nginx";

export function routerIngress(): IIngress {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: "router",
      labels: labels("router", "router"),
      annotations: {
        // ingress-nginx upgrades WebSockets by itself; what closes subscriptions is its 60 s idle
        // timeout, so reads and writes may idle for an hour (the router pings every 12 s anyway).
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
        "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
        "nginx.ingress.kubernetes.io/proxy-http-version": "1.1",
        // The router enforces MAX_REQUEST_BYTES (256 KiB) itself; this only stops far larger bodies early.
        "nginx.ingress.kubernetes.io/proxy-body-size": "1m",
      },
    },
    spec: {
      ingressClassName: "nginx",
      rules: [
        {
          http: {
            paths: [
              {
                path: "/graphql",
                pathType: "Prefix",
                backend: { service: { name: "router", port: { number: routerPort } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/**
 * Stripe's webhooks, straight to the payments service: `POST /webhooks/stripe`, authenticated by
 * Stripe's signature over the raw body (verified by payments), never through GraphQL or the router.
 */
export function paymentsWebhookIngress(): IIngress {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: "payments-webhooks",
      labels: labels("payments-webhooks", "subgraph"),
      annotations: {
        // A webhook is one event of a few kilobytes; payments refuses more than 256 KiB itself.
        "nginx.ingress.kubernetes.io/proxy-body-size": "256k",
      },
    },
    spec: {
      ingressClassName: "nginx",
      rules: [
        {
          http: {
            paths: [
              {
                path: "/webhooks/stripe",
                pathType: "Exact",
                backend: { service: { name: "payments", port: { number: defaultPorts.payments } } },
              },
            ],
          },
        },
      ],
    },
  };
}
