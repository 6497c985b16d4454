/** What every resource of the base shares: names, labels, security settings, resource sizes, probes. */
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext" with { "resolution-mode": "import" };
import type { IProbe } from "kubernetes-models/v1/Probe" with { "resolution-mode": "import" };
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements" with {
  "resolution-mode": "import",
};
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext" with { "resolution-mode": "import" };
import { serviceNames } from "../../../subgraphs/common/serviceNames";

export const namespace = "commerce";
export const image = "ghcr.io/commerce/supergraph:latest";
export const routerPort = 4000;
export const databasePrefix = "commerce_";

export const appNames = ["router", ...serviceNames] as const;
export type AppName = (typeof appNames)[number];
export type Component = "router" | "subgraph" | "database" | "cache" | "messaging" | "config";
export type Manifest = { apiVersion: string; kind: string; metadata?: { name?: string } };

export const nodeUser = 1000; // `node` in the official Node image (Dockerfile: USER node)
export const postgresUser = 70; // `postgres` in the Alpine postgres image
export const redisUser = 999; // `redis` in the Alpine redis image
export const natsUser = 1000; // the nats image names no user; any non-root id works with fsGroup on its volume

export function labels(name: string, component: Component): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": "commerce",
  };
}

export function selectorOf(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": name };
}

export function podSecurity(user: number): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    fsGroup: user,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

// Meets the "restricted" Pod Security Standard the namespace enforces.
export const containerSecurity: ISecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

export const tmpVolume = { name: "tmp", emptyDir: { sizeLimit: "64Mi" } };
export const tmpMount = { name: "tmp", mountPath: "/tmp" };

export function resources(
  cpuRequest: string,
  memoryRequest: string,
  cpuLimit: string,
  memoryLimit: string,
): IResourceRequirements {
  return { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

export function httpProbe(pathname: string, settings: Omit<IProbe, "httpGet">): IProbe {
  return { httpGet: { path: pathname, port: "http" }, ...settings };
}
