/** Who may call whom: ingress is denied unless a policy admits it. */
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy" with {
  "resolution-mode": "import",
};
import type { INetworkPolicyIngressRule } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyIngressRule" with {
  "resolution-mode": "import",
};
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer" with {
  "resolution-mode": "import",
};
import { routerPort, appNames, selectorOf } from "./conventions";
import { ingressControllerNamespace } from "./ingress";
import { defaultPorts, serviceNames, type ServiceName } from "../../../subgraphs/common/serviceNames";

/**
 * Who may call each subgraph besides the router: the direct lookups the services make
 * (inventory and orders ask products; orders asks inventory and users). Every process fetches the
 * users service's JWKS, so users admits them all.
 */
const subgraphCallers: Record<ServiceName, readonly string[]> = {
  users: ["router", ...serviceNames],
  products: ["router", "inventory", "orders"],
  inventory: ["router", "orders"],
  orders: ["router"],
  payments: ["router"],
  notifications: ["router"],
};

function podsNamed(names: readonly string[]): INetworkPolicyPeer {
  return {
    podSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: [...new Set(names)] }] },
  };
}

function networkPolicy(name: string, podName: string, ingress: INetworkPolicyIngressRule[]): INetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, labels: { "app.kubernetes.io/part-of": "commerce" } },
    spec: { podSelector: { matchLabels: selectorOf(podName) }, policyTypes: ["Ingress"], ingress },
  };
}

export function networkPolicies(): INetworkPolicy[] {
  const allApps = podsNamed(appNames);
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny-ingress", labels: { "app.kubernetes.io/part-of": "commerce" } },
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    },
    // The ingress controller lives in another namespace whose name varies: any source may call the router.
    networkPolicy("router", "router", [{ ports: [{ port: routerPort, protocol: "TCP" }] }]),
    ...serviceNames.map((service) =>
      networkPolicy(service, service, [
        { from: [podsNamed(subgraphCallers[service])], ports: [{ port: defaultPorts[service], protocol: "TCP" }] },
      ]),
    ),
    // The payment provider's webhooks reach payments through the ingress controller, which routes
    // only /webhooks/stripe there.
    networkPolicy("payments-webhooks", "payments", [
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ingressControllerNamespace } } }],
        ports: [{ port: defaultPorts.payments, protocol: "TCP" }],
      },
    ]),
    ...serviceNames.map((service) =>
      networkPolicy(`postgres-${service}`, `postgres-${service}`, [
        { from: [podsNamed([service])], ports: [{ port: 5432, protocol: "TCP" }] },
      ]),
    ),
    networkPolicy("redis", "redis", [{ from: [allApps], ports: [{ port: 6379, protocol: "TCP" }] }]),
    networkPolicy("nats", "nats", [
      { from: [allApps], ports: [{ port: 4222, protocol: "TCP" }] },
      { from: [podsNamed(["nats"])], ports: [{ port: 6222, protocol: "TCP" }] },
    ]),
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-metrics-scraping", labels: { "app.kubernetes.io/part-of": "commerce" } },
      spec: {
        podSelector: {
          matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: [...appNames, "nats"] }],
        },
        policyTypes: ["Ingress"],
        // Prometheus in the `monitoring` namespace scrapes /metrics on the app ports and NATS's monitor port.
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
            ports: [
              { port: routerPort, endPort: Math.max(...Object.values(defaultPorts)), protocol: "TCP" },
              { port: 8222, protocol: "TCP" },
            ],
          },
        ],
      },
    },
  ];
}
