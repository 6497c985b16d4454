/** PostgreSQL: one server per service, so a NetworkPolicy can fence each database. */
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet" with { "resolution-mode": "import" };
import type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
import {
  databasePrefix,
  postgresUser,
  labels,
  selectorOf,
  podSecurity,
  containerSecurity,
  tmpVolume,
  tmpMount,
  resources,
} from "./conventions";
import { type ServiceName } from "../../../subgraphs/common/serviceNames";

export function postgresStatefulSet(service: ServiceName): IStatefulSet {
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

export function postgresService(service: ServiceName): IService {
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
