/** The router and the six subgraphs: a Deployment, a Service, an autoscaler and a disruption budget each. */
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment" with { "resolution-mode": "import" };
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler" with {
  "resolution-mode": "import",
};
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget" with {
  "resolution-mode": "import",
};
import type { IContainer } from "kubernetes-models/v1/Container" with { "resolution-mode": "import" };
import type { IEnvFromSource } from "kubernetes-models/v1/EnvFromSource" with { "resolution-mode": "import" };
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements" with {
  "resolution-mode": "import",
};
import type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
import {
  image,
  routerPort,
  type AppName,
  type Component,
  nodeUser,
  labels,
  selectorOf,
  podSecurity,
  containerSecurity,
  tmpVolume,
  tmpMount,
  resources,
  httpProbe,
} from "./conventions";
import { defaultPorts, type ServiceName } from "../../../subgraphs/common/serviceNames";

export interface App {
  name: AppName;
  port: number;
  command: string[];
  envFrom: IEnvFromSource[];
  resources: IResourceRequirements;
  /** The subgraph whose database an init container migrates before the service starts. */
  migrates?: ServiceName;
}

export function appOf(name: AppName): App {
  const shared: IEnvFromSource[] = [
    { configMapRef: { name: "commerce-config" } },
    { secretRef: { name: "commerce-secrets" } },
  ];
  if (name === "router") {
    return {
      name,
      port: routerPort,
      command: ["node", "dist/router/main.js"],
      envFrom: shared,
      resources: resources("200m", "256Mi", "1", "512Mi"),
    };
  }
  return {
    name,
    port: defaultPorts[name],
    command: ["node", `dist/subgraphs/${name}/main.js`],
    envFrom: [
      ...shared,
      { secretRef: { name: `${name}-secrets` } },
      // One key for both ends of the sealed reset and verification links, so they cannot differ.
      ...(name === "users" || name === "notifications" ? [{ secretRef: { name: "secret-links" } }] : []),
    ],
    // users hashes passwords with scrypt at 64 MiB a hash, several at once under a burst of logins.
    resources: name === "users" ? resources("200m", "384Mi", "1", "768Mi") : resources("100m", "256Mi", "1", "512Mi"),
    migrates: name,
  };
}

function migrationContainer(app: App, service: ServiceName): IContainer {
  return {
    name: "migrate",
    image,
    command: ["node", "dist/scripts/migrate.js", service],
    envFrom: app.envFrom,
    // On a first install the database starts alongside; waiting beats a crash-loop backoff.
    env: [{ name: "STARTUP_TIMEOUT_SECONDS", value: "120" }],
    resources: resources("100m", "256Mi", "1", "512Mi"),
    securityContext: containerSecurity,
    volumeMounts: [tmpMount],
  };
}

export function appDeployment(app: App): IDeployment {
  const component: Component = app.name === "router" ? "router" : "subgraph";
  const env = [{ name: "PORT", value: String(app.port) }];
  if (app.migrates) env.push({ name: "MIGRATE_ON_START", value: "false" });
  // Its NATS user (the password is in its Secret): allowed to publish its own subjects only.
  if (app.migrates) env.push({ name: "NATS_USER", value: app.migrates });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app.name, labels: labels(app.name, component) },
    spec: {
      replicas: 2,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorOf(app.name) },
      // A new pod must be ready before an old one goes, so capacity never dips during a rollout.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: labels(app.name, component),
          annotations: {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": String(app.port),
            "prometheus.io/path": "/metrics",
          },
        },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity(nodeUser),
          // SHUTDOWN_TIMEOUT_SECONDS (10 s) of draining after the preStop pause, with room to spare.
          terminationGracePeriodSeconds: 30,
          // Replicas on separate nodes where possible, so one node going down leaves the service up.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: selectorOf(app.name) },
            },
          ],
          initContainers: app.migrates ? [migrationContainer(app, app.migrates)] : undefined,
          containers: [
            {
              name: app.name,
              image,
              command: app.command,
              ports: [{ name: "http", containerPort: app.port, protocol: "TCP" }],
              env,
              envFrom: app.envFrom,
              resources: app.resources,
              // Start-up connects to every dependency with retries (STARTUP_TIMEOUT_SECONDS).
              startupProbe: httpProbe("/health/live", { periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 45 }),
              livenessProbe: httpProbe("/health/live", { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
              // /health/ready checks dependencies with a 2 s timeout of its own.
              readinessProbe: httpProbe("/health/ready", { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 }),
              // Endpoints are removed asynchronously; pausing before SIGTERM lets them catch up so
              // no request is routed to a process that has stopped accepting.
              lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } },
              securityContext: containerSecurity,
              volumeMounts: [tmpMount],
            },
          ],
          volumes: [tmpVolume],
        },
      },
    },
  };
}

export function appService(app: App): IService {
  const component: Component = app.name === "router" ? "router" : "subgraph";
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: app.name, labels: labels(app.name, component) },
    spec: {
      selector: selectorOf(app.name),
      ports: [{ name: "http", port: app.port, targetPort: "http", protocol: "TCP" }],
    },
  };
}

export function appAutoscaler(app: App): IHorizontalPodAutoscaler {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: app.name, labels: labels(app.name, app.name === "router" ? "router" : "subgraph") },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app.name },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
      ],
    },
  };
}

export function appDisruptionBudget(app: App): IPodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: app.name, labels: labels(app.name, app.name === "router" ? "router" : "subgraph") },
    spec: { minAvailable: 1, selector: { matchLabels: selectorOf(app.name) } },
  };
}
