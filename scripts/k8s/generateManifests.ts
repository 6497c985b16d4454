/**
 * Writes the Kubernetes base (k8s/base): `npx tsx scripts/k8s/generateManifests.ts`.
 *
 * Seven app Deployments and six databases differ only in a name, a port and who may call them, and
 * kustomize cannot loop, so they are written from the tables below instead of by hand. The output
 * is committed (kubectl apply -k needs no Node), and test/deployment fails when it is stale.
 * Overlays (k8s/overlays/*) are hand-written patches over this base.
 *
 * Types come from kubernetes-models, so a misspelt field fails `tsc` here rather than being
 * silently ignored by the API server.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment" with { "resolution-mode": "import" };
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet" with { "resolution-mode": "import" };
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler" with {
  "resolution-mode": "import",
};
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress" with { "resolution-mode": "import" };
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy" with {
  "resolution-mode": "import",
};
import type { INetworkPolicyIngressRule } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyIngressRule" with {
  "resolution-mode": "import",
};
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer" with {
  "resolution-mode": "import",
};
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget" with {
  "resolution-mode": "import",
};
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap" with { "resolution-mode": "import" };
import type { IContainer } from "kubernetes-models/v1/Container" with { "resolution-mode": "import" };
import type { IEnvFromSource } from "kubernetes-models/v1/EnvFromSource" with { "resolution-mode": "import" };
import type { INamespace } from "kubernetes-models/v1/Namespace" with { "resolution-mode": "import" };
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext" with { "resolution-mode": "import" };
import type { IProbe } from "kubernetes-models/v1/Probe" with { "resolution-mode": "import" };
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements" with {
  "resolution-mode": "import",
};
import type { ISecret } from "kubernetes-models/v1/Secret" with { "resolution-mode": "import" };
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext" with { "resolution-mode": "import" };
import type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
import type { IServicePort } from "kubernetes-models/v1/ServicePort" with { "resolution-mode": "import" };
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { defaultPorts, serviceNames, type ServiceName } from "../../subgraphs/common/serviceNames";

export const baseDirectory = path.join(projectRoot, "k8s", "base");
const namespace = "commerce";
export const image = "ghcr.io/commerce/supergraph:latest";
const routerPort = 4000;
const databasePrefix = "commerce_";

/** Marks every Secret of the base: its values are examples, and the prod overlay leaves them out. */
export const exampleSecretAnnotation = "commerce/example-values";

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

const appNames = ["router", ...serviceNames] as const;
type AppName = (typeof appNames)[number];
type Component = "router" | "subgraph" | "database" | "cache" | "messaging" | "config";
type Manifest = { apiVersion: string; kind: string; metadata?: { name?: string } };

const nodeUser = 1000; // `node` in the official Node image (Dockerfile: USER node)
const postgresUser = 70; // `postgres` in the Alpine postgres image
const redisUser = 999; // `redis` in the Alpine redis image
const natsUser = 1000; // the nats image names no user; any non-root id works with fsGroup on its volume

function labels(name: string, component: Component): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": "commerce",
  };
}

function selectorOf(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": name };
}

function podSecurity(user: number): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    fsGroup: user,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

// Meets the "restricted" Pod Security Standard the namespace enforces.
const containerSecurity: ISecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

const tmpVolume = { name: "tmp", emptyDir: { sizeLimit: "64Mi" } };
const tmpMount = { name: "tmp", mountPath: "/tmp" };

function resources(
  cpuRequest: string,
  memoryRequest: string,
  cpuLimit: string,
  memoryLimit: string,
): IResourceRequirements {
  return { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

function httpProbe(pathname: string, settings: Omit<IProbe, "httpGet">): IProbe {
  return { httpGet: { path: pathname, port: "http" }, ...settings };
}

// --- the router and the subgraphs ------------------------------------------------------------

interface App {
  name: AppName;
  port: number;
  command: string[];
  envFrom: IEnvFromSource[];
  resources: IResourceRequirements;
  /** The subgraph whose database an init container migrates before the service starts. */
  migrates?: ServiceName;
}

function appOf(name: AppName): App {
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

function appDeployment(app: App): IDeployment {
  const component: Component = app.name === "router" ? "router" : "subgraph";
  const env = [{ name: "PORT", value: String(app.port) }];
  if (app.migrates) env.push({ name: "MIGRATE_ON_START", value: "false" });
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

function appService(app: App): IService {
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

function appAutoscaler(app: App): IHorizontalPodAutoscaler {
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

function appDisruptionBudget(app: App): IPodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: app.name, labels: labels(app.name, app.name === "router" ? "router" : "subgraph") },
    spec: { minAvailable: 1, selector: { matchLabels: selectorOf(app.name) } },
  };
}

function routerIngress(): IIngress {
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

// --- configuration ---------------------------------------------------------------------------

function commerceConfig(): IConfigMap {
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
      // Pod addresses are private: the ingress controller may state the client's address.
      TRUST_PROXY: "loopback, linklocal, uniquelocal",
      ...subgraphUrls,
      // Kubernetes scales pods, not processes: one process a pod keeps CPU autoscaling and memory limits exact.
      ROUTER_WORKERS: "1",
      // Anonymous catalog pages are the same for every visitor: served again for 2 seconds.
      PUBLIC_RESPONSE_CACHE_SECONDS: "2",
      CORS_ORIGINS: "https://shop.commerce.example",
      PAYMENT_PROVIDER: "simulated",
      MAIL_FROM: "Commerce <no-reply@commerce.example>",
      STOREFRONT_URL: "https://shop.commerce.example",
      APOLLO_TELEMETRY_DISABLED: "1",
      CHECKPOINT_DISABLE: "1",
    },
  };
}

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

function exampleSecrets(): ISecret[] {
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
    if (service === "notifications")
      values.SMTP_URL = "smtp://CHANGE_ME_user:CHANGE_ME_password@smtp.commerce.example:587";
    return exampleSecret(`${service}-secrets`, "config", values);
  });
  return [
    exampleSecret("commerce-secrets", "config", { REDIS_URL: `redis://:${redisPassword}@redis:6379` }),
    // 32 bytes in base64 that say what to put instead (openssl rand -base64 32).
    exampleSecret("secret-links", "config", { SECRET_SEALING_KEY: "CHANGE_ME_with_openssl_rand_base64_32_00000=" }),
    ...serviceSecrets,
    ...serviceNames.map((service) =>
      exampleSecret(`postgres-${service}`, "database", { POSTGRES_PASSWORD: databasePassword(service) }),
    ),
    exampleSecret("redis", "cache", { REDIS_PASSWORD: redisPassword }),
  ];
}

// --- PostgreSQL: one server per service, so a NetworkPolicy can fence each database ----------

function postgresStatefulSet(service: ServiceName): IStatefulSet {
  const name = `postgres-${service}`;
  const ready = ["pg_isready", "--host", "127.0.0.1", "--username", service, "--dbname", `${databasePrefix}${service}`];
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name, labels: labels(name, "database") },
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: selectorOf(name) },
      template: {
        metadata: { labels: labels(name, "database") },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity(postgresUser),
          terminationGracePeriodSeconds: 60,
          containers: [
            {
              name: "postgres",
              image: "postgres:15-alpine",
              ports: [{ name: "postgres", containerPort: 5432, protocol: "TCP" }],
              env: [
                { name: "POSTGRES_USER", value: service },
                { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name, key: "POSTGRES_PASSWORD" } } },
                { name: "POSTGRES_DB", value: `${databasePrefix}${service}` },
                // A fresh volume's root holds lost+found, which initdb refuses to share.
                { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
              ],
              resources: resources("250m", "256Mi", "2", "1Gi"),
              // initdb's temporary server listens on the socket only, so TCP readiness means the real one.
              startupProbe: { exec: { command: ready }, periodSeconds: 5, failureThreshold: 60 },
              livenessProbe: { exec: { command: ready }, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4 },
              readinessProbe: { exec: { command: ready }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 },
              securityContext: containerSecurity,
              volumeMounts: [
                { name: "data", mountPath: "/var/lib/postgresql/data" },
                { name: "run", mountPath: "/var/run/postgresql" },
                { name: "shm", mountPath: "/dev/shm" },
                tmpMount,
              ],
            },
          ],
          volumes: [
            { name: "run", emptyDir: {} },
            // The runtime's default 64 MiB /dev/shm is too small for parallel queries.
            { name: "shm", emptyDir: { medium: "Memory", sizeLimit: "256Mi" } },
            tmpVolume,
          ],
        },
      },
      volumeClaimTemplates: [
        {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: "data", labels: labels(name, "database") },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
        },
      ],
    },
  };
}

function postgresService(service: ServiceName): IService {
  const name = `postgres-${service}`;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, labels: labels(name, "database") },
    spec: {
      clusterIP: "None",
      selector: selectorOf(name),
      ports: [{ name: "postgres", port: 5432, targetPort: "postgres", protocol: "TCP" }],
    },
  };
}

// --- Redis -------------------------------------------------------------------------------------

function redisDeployment(): IDeployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "redis", labels: labels("redis", "cache") },
    spec: {
      replicas: 1,
      // Two Redis servers side by side would split subscribers from publishers.
      strategy: { type: "Recreate" },
      selector: { matchLabels: selectorOf("redis") },
      template: {
        metadata: { labels: labels("redis", "cache") },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity(redisUser),
          containers: [
            {
              name: "redis",
              image: "redis:7-alpine",
              // As in docker-compose.yml: Redis holds pub/sub fan-out and short-lived keys, nothing
              // that outlives the TTLs it was written with, so it keeps no snapshot.
              command: ["redis-server", "--requirepass", "$(REDIS_PASSWORD)", "--save", "", "--appendonly", "no"],
              ports: [{ name: "redis", containerPort: 6379, protocol: "TCP" }],
              env: [
                { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis", key: "REDIS_PASSWORD" } } },
                // redis-cli reads its password from here, so the probe needs no shell expansion of it.
                { name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: "redis", key: "REDIS_PASSWORD" } } },
              ],
              resources: resources("100m", "128Mi", "1", "512Mi"),
              livenessProbe: { tcpSocket: { port: "redis" }, periodSeconds: 10, failureThreshold: 3 },
              readinessProbe: {
                exec: { command: ["sh", "-c", "redis-cli ping | grep -q PONG"] },
                periodSeconds: 5,
                timeoutSeconds: 3,
              },
              securityContext: containerSecurity,
              volumeMounts: [{ name: "data", mountPath: "/data" }],
            },
          ],
          volumes: [{ name: "data", emptyDir: {} }],
        },
      },
    },
  };
}

function redisService(): IService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "redis", labels: labels("redis", "cache") },
    spec: {
      selector: selectorOf("redis"),
      ports: [{ name: "redis", port: 6379, targetPort: "redis", protocol: "TCP" }],
    },
  };
}

// --- NATS JetStream: a three-server cluster ---------------------------------------------------

const natsReplicas = 3;

function natsConfig(): IConfigMap {
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

function natsServices(): IService[] {
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

function natsStatefulSet(): IStatefulSet {
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
              env: [{ name: "SERVER_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
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

function natsDisruptionBudget(): IPodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "nats", labels: labels("nats", "messaging") },
    // Two of three servers keep the JetStream quorum.
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf("nats") } },
  };
}

// --- network policies ------------------------------------------------------------------------

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

function networkPolicies(): INetworkPolicy[] {
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

// --- files ------------------------------------------------------------------------------------

function namespaceManifest(): INamespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: namespace,
      labels: {
        "app.kubernetes.io/part-of": "commerce",
        // Every pod here runs non-root with no privileges; the API server refuses any that does not.
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
      },
    },
  };
}

const generatedNotice =
  "Generated by scripts/k8s/generateManifests.ts: edit that script, then run `npx tsx scripts/k8s/generateManifests.ts`.";

function yamlFile(manifests: Manifest[], comment?: string): string {
  const header = [generatedNotice, ...(comment ? comment.split("\n") : [])]
    .map((line) => `# ${line}`.trimEnd())
    .join("\n");
  const documents = manifests.map((manifest) => stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false }));
  return `${header}\n${documents.join("---\n")}`;
}

/** Every file of k8s/base, by file name, as the generator writes it. */
export function renderBaseManifests(): Map<string, string> {
  const files = new Map<string, string>();
  files.set("namespace.yaml", yamlFile([namespaceManifest()]));
  files.set(
    "config.yaml",
    yamlFile(
      [commerceConfig()],
      "Settings that are not secret, shared by the router and every subgraph (each reads what it needs).",
    ),
  );
  files.set(
    "secrets.yaml",
    yamlFile(
      exampleSecrets(),
      [
        "EXAMPLE VALUES ONLY: every CHANGE_ME must be replaced before a real deployment (docs/deployment.md).",
        "The prod overlay leaves these Secrets out, so that `kubectl apply -k` never overwrites the real ones.",
        "A database URL's password must equal its postgres-<service> Secret's POSTGRES_PASSWORD, and the",
        "password in REDIS_URL the redis Secret's REDIS_PASSWORD.",
      ].join("\n"),
    ),
  );
  for (const name of appNames) {
    const app = appOf(name);
    files.set(
      `${name}.yaml`,
      yamlFile([appDeployment(app), appService(app), appAutoscaler(app), appDisruptionBudget(app)]),
    );
  }
  files.set(
    "ingress.yaml",
    yamlFile([routerIngress()], "The router is the one public endpoint: HTTP and WebSocket (graphql-ws) on /graphql."),
  );
  files.set(
    "postgres.yaml",
    yamlFile(serviceNames.flatMap((service) => [postgresService(service), postgresStatefulSet(service)])),
  );
  files.set("redis.yaml", yamlFile([redisService(), redisDeployment()]));
  files.set("nats.yaml", yamlFile([natsConfig(), ...natsServices(), natsStatefulSet(), natsDisruptionBudget()]));
  files.set(
    "network-policies.yaml",
    yamlFile(networkPolicies(), "Ingress is denied unless a policy below admits it; egress is open (SMTP, OTLP, DNS)."),
  );
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    namespace,
    resources: [...files.keys()],
  };
  files.set("kustomization.yaml", yamlFile([kustomization]));
  return files;
}

function writeBase(): void {
  const files = renderBaseManifests();
  mkdirSync(baseDirectory, { recursive: true });
  // A resource dropped from the generator must not linger as a stale file.
  for (const existing of readdirSync(baseDirectory)) {
    if (!files.has(existing)) rmSync(path.join(baseDirectory, existing));
  }
  for (const [name, content] of files) writeFileSync(path.join(baseDirectory, name), content);
  console.log(`wrote ${files.size} files to ${path.relative(process.cwd(), baseDirectory) || "."}`);
}

if (require.main === module) writeBase();
