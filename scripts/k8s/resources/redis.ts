/** Redis: pub/sub fan-out and short-lived keys. */
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment" with { "resolution-mode": "import" };
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim" with {
  "resolution-mode": "import",
};
import type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
import { redisUser, labels, selectorOf, podSecurity, containerSecurity, resources } from "./conventions";

/**
 * Redis's memory and persistence, as in docker-compose.yml: at most 384 MB (its container may use
 * 512Mi), `volatile-lru` so only keys with a TTL are ever evicted, and the append-only file
 * written every second.
 */
export const redisPolicy = [
  "--maxmemory",
  "384mb",
  "--maxmemory-policy",
  "volatile-lru",
  "--appendonly",
  "yes",
  "--appendfsync",
  "everysec",
  "--save",
  "",
];

export function redisDeployment(): IDeployment {
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
              // As in docker-compose.yml. Bounded memory, evicting only keys that expire (persisted
              // queries, rate-limit windows), never session revocations (kept without a TTL); and an
              // append-only file on a volume, so revocations outlive a restart of Redis.
              command: ["redis-server", "--requirepass", "$(REDIS_PASSWORD)", ...redisPolicy],
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
          volumes: [{ name: "data", persistentVolumeClaim: { claimName: "redis-data" } }],
        },
      },
    },
  };
}

/** The volume Redis keeps its append-only file on. */
export function redisVolumeClaim(): IPersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "redis-data", labels: labels("redis", "cache") },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } },
  };
}

export function redisService(): IService {
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
