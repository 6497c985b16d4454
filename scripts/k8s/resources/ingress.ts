/** The one public entry: the router's /graphql, HTTP and WebSocket. */
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress" with { "resolution-mode": "import" };
import { routerPort, labels } from "./conventions";

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
