/** NATS JetStream: a three-server cluster, with one user a service (scripts/nats/authorization.ts). */
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet" with { "resolution-mode": "import" };
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget" with {
  "resolution-mode": "import",
};
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap" with { "resolution-mode": "import" };
import type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
import type { IServicePort } from "kubernetes-models/v1/ServicePort" with { "resolution-mode": "import" };
import { natsUser, labels, selectorOf, podSecurity, containerSecurity, resources } from "./conventions";
import { natsOperatorSecret } from "./secrets";
import { authorizationBlock, operatorUser } from "../../nats/authorization";
import { serviceNames } from "../../../subgraphs/common/serviceNames";

const natsReplicas = 3;

export function natsConfig(): IConfigMap {
  const routes = Array.from({ length: natsReplicas }, (_, index) => `    nats://nats-${index}.nats-headless:6222`);
  const conf = [
    "# Each server's name is its pod's name: JetStream's placement and Raft groups key on it.",
    "server_name: $SERVER_NAME",
    "listen: 0.0.0.0:4222",
    "http: 0.0.0.0:8222",
    "",
    "jetstream {",
    "  store_dir: /data",
    "  max_memory_store: 256MB",
    "  # Leaves room on the 10Gi volume for Raft logs and compaction.",
    "  max_file_store: 8GB",
    "}",
    "",
    ...authorizationBlock("commerce", (user) => `$NATS_PASSWORD_${user.toUpperCase()}`).split("\n"),
    "cluster {",
    "  name: commerce",
    "  listen: 0.0.0.0:6222",
    "  # Every peer by its stable DNS name; a server skips the route to itself.",
    "  routes: [",
    ...routes,
    "  ]",
    "}",
    "",
  ].join("\n");
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "nats-config", labels: labels("nats", "messaging") },
    data: { "nats.conf": conf },
  };
}

export function natsServices(): IService[] {
  const ports: IServicePort[] = [
    { name: "client", port: 4222, targetPort: "client", protocol: "TCP" },
    { name: "cluster", port: 6222, targetPort: "cluster", protocol: "TCP" },
    { name: "monitor", port: 8222, targetPort: "monitor", protocol: "TCP" },
  ];
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "nats-headless", labels: labels("nats", "messaging") },
      spec: {
        clusterIP: "None",
        // Peers must resolve each other before they are ready: readiness waits for the cluster.
        publishNotReadyAddresses: true,
        selector: selectorOf("nats"),
        ports,
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "nats", labels: labels("nats", "messaging") },
      spec: { selector: selectorOf("nats"), ports: [ports[0]!] },
    },
  ];
}

export function natsStatefulSet(): IStatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "nats", labels: labels("nats", "messaging") },
    spec: {
      serviceName: "nats-headless",
      replicas: natsReplicas,
      // A JetStream cluster needs a quorum to become ready; one-at-a-time start would wait forever.
      podManagementPolicy: "Parallel",
      selector: { matchLabels: selectorOf("nats") },
      template: {
        metadata: { labels: labels("nats", "messaging") },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity(natsUser),
          terminationGracePeriodSeconds: 60,
          // Losing one node must not take two servers, and with them the quorum.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: selectorOf("nats") },
            },
          ],
          containers: [
            {
              name: "nats",
              image: "nats:2.10-alpine",
              command: ["nats-server", "--config", "/etc/nats/nats.conf"],
              ports: [
                { name: "client", containerPort: 4222, protocol: "TCP" },
                { name: "cluster", containerPort: 6222, protocol: "TCP" },
                { name: "monitor", containerPort: 8222, protocol: "TCP" },
              ],
              env: [
                { name: "SERVER_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                // The users' passwords, which nats.conf names: each service's from its own Secret.
                ...serviceNames.map((service) => ({
                  name: `NATS_PASSWORD_${service.toUpperCase()}`,
                  valueFrom: { secretKeyRef: { name: `${service}-secrets`, key: "NATS_PASSWORD" } },
                })),
                {
                  name: `NATS_PASSWORD_${operatorUser.toUpperCase()}`,
                  valueFrom: { secretKeyRef: { name: natsOperatorSecret, key: "NATS_OPERATOR_PASSWORD" } },
                },
              ],
              resources: resources("100m", "256Mi", "1", "1Gi"),
              startupProbe: { httpGet: { path: "/healthz", port: "monitor" }, periodSeconds: 5, failureThreshold: 90 },
              livenessProbe: {
                httpGet: { path: "/healthz?js-enabled-only=true", port: "monitor" },
                periodSeconds: 30,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              readinessProbe: {
                httpGet: { path: "/healthz?js-server-only=true", port: "monitor" },
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              securityContext: containerSecurity,
              volumeMounts: [
                { name: "config", mountPath: "/etc/nats", readOnly: true },
                { name: "data", mountPath: "/data" },
              ],
            },
          ],
          volumes: [{ name: "config", configMap: { name: "nats-config" } }],
        },
      },
      volumeClaimTemplates: [
        {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: "data", labels: labels("nats", "messaging") },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
        },
      ],
    },
  };
}

export function natsDisruptionBudget(): IPodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "nats", labels: labels("nats", "messaging") },
    // Two of three servers keep the JetStream quorum.
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf("nats") } },
  };
}
