/**
 * `npm run generate`: every service's Prisma client (`scripts/prisma.ts generate`), then the
 * resolver and storefront types (`graphql-codegen --config codegen.ts`). Afterwards it notes a
 * fingerprint of what generation reads and writes in node_modules/.cache.
 *
 *   tsx scripts/generate.ts               generate
 *   tsx scripts/generate.ts --if-changed  generate unless the fingerprint is the one noted after
 *                                         the last generation (`npm test` before its checks: CI's
 *                                         `npm ci` has just generated, in its postinstall)
 *
 * The fingerprint covers the contents of every input (schema/, prisma/, storefront/src/ outside
 * its generated code, codegen.ts, prisma.config.ts, scripts/prisma.ts, the client generator, package-lock.json) and of
 * every generated file, so an edited schema or a deleted or edited generated file means generating.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../subgraphs/common/projectRoot";

const inputs = [
  "schema",
  "prisma",
  "storefront/src",
  "codegen.ts",
  "prisma.config.ts",
  "scripts/prisma.ts",
  "subgraphs/common/database/prismaClientGenerator.ts",
  "package-lock.json",
];
const generatedFolders = () => [
  ...readdirSync(path.join(projectRoot, "subgraphs")).map((service) => path.join("subgraphs", service, "generated")),
  "storefront/src/generated",
];
const stampFile = path.join(projectRoot, "node_modules", ".cache", "generate-fingerprint");

/** Every file under `relative` (a file or a folder), sorted, skipping node_modules. */
function filesUnder(relative: string): string[] {
  const absolute = path.join(projectRoot, relative);
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [relative];
  return readdirSync(absolute)
    .filter((name) => name !== "node_modules")
    .sort()
    .flatMap((name) => filesUnder(path.join(relative, name)));
}

function fingerprint(): string {
  const hash = createHash("sha256");
  const generated = generatedFolders();
  const files = [
    ...inputs
      .flatMap(filesUnder)
      .filter((file) => !generated.some((folder) => file.startsWith(`${folder}${path.sep}`))),
    ...generated.flatMap(filesUnder),
  ];
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(projectRoot, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

function run(command: string, args: string[]): void {
  const result = spawnSync(path.join(projectRoot, "node_modules", ".bin", command), args, {
    cwd: projectRoot,
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function main(): void {
  if (process.argv.includes("--if-changed") && existsSync(stampFile)) {
    if (readFileSync(stampFile, "utf8") === fingerprint()) {
      console.log("generate: the generated code is up to date with its sources (node_modules/.cache)");
      return;
    }
  }
  run("tsx", ["scripts/prisma.ts", "generate"]);
  run("graphql-codegen", ["--config", "codegen.ts"]);
  mkdirSync(path.dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, fingerprint());
}

main();
