/**
 * Prisma tasks across the six service schemas.
 *
 *   tsx scripts/prisma.ts generate                  generate every service's client
 *   tsx scripts/prisma.ts migration <service> <name>  write a migration from the last snapshot to the schema
 *   tsx scripts/prisma.ts pending <service>          print the SQL the schema needs beyond the migrations
 *
 * Prisma's shadow-database workflow (`migrate dev`) does not run here (docs/toolchain.md), so each
 * service keeps the datamodel its migrations produce in `migrations/datamodel.snapshot.prisma`,
 * and a new migration is the diff from that snapshot to the current schema.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { generatePrismaClient } from "../subgraphs/common/database/prismaClientGenerator";
import { runPrismaCli } from "../subgraphs/common/database/prismaCli";
import { projectRoot } from "../subgraphs/common/projectRoot";
import { serviceNames, type ServiceName } from "../subgraphs/common/serviceNames";

const snapshotFile = (service: ServiceName) =>
  path.join(projectRoot, "prisma", service, "migrations", "datamodel.snapshot.prisma");
const schemaFolder = (service: ServiceName) => path.join(projectRoot, "prisma", service, "schema");

/** The service's datamodel as one file: every .prisma file of its schema folder, in name order. */
export function currentDatamodel(service: ServiceName): string {
  const folder = schemaFolder(service);
  return readdirSync(folder)
    .filter((file) => file.endsWith(".prisma"))
    .sort()
    .map((file) => readFileSync(path.join(folder, file), "utf8"))
    .join("\n");
}

/** SQL that would take a database from the migrations' datamodel to the current schema ("" when none). */
export async function pendingMigrationSql(service: ServiceName): Promise<string> {
  const from = existsSync(snapshotFile(service))
    ? ["--from-schema-datamodel", snapshotFile(service)]
    : ["--from-empty"];
  const { stdout } = await runPrismaCli(service, [
    "migrate",
    "diff",
    ...from,
    "--to-schema-datamodel",
    schemaFolder(service),
    "--script",
  ]);
  return stdout
    .split("\n")
    .filter((line) => !line.startsWith("Loaded Prisma config"))
    .join("\n")
    .replace(/-- This is an empty migration\.\s*/, "")
    .trim();
}

async function writeMigration(service: ServiceName, name: string): Promise<void> {
  const sql = await pendingMigrationSql(service);
  if (!sql) {
    console.log(`${service}: the schema matches its migrations; nothing to write`);
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const folder = path.join(projectRoot, "prisma", service, "migrations", `${stamp}_${name}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, "migration.sql"), `${sql}\n`);
  writeFileSync(snapshotFile(service), currentDatamodel(service));
  console.log(`${service}: wrote ${path.relative(projectRoot, folder)}/migration.sql`);
}

function parseService(value: string | undefined): ServiceName {
  if (!value || !(serviceNames as readonly string[]).includes(value)) {
    throw new Error(`expected a service name, one of: ${serviceNames.join(", ")}`);
  }
  return value as ServiceName;
}

async function main(): Promise<void> {
  const [task, service, name] = process.argv.slice(2);
  switch (task) {
    case "generate":
      for (const each of serviceNames) await generatePrismaClient(each);
      console.log(`generated the Prisma clients of ${serviceNames.join(", ")}`);
      return;
    case "migration":
      if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error("usage: migration <service> <snake_case_name>");
      if (service === "all") for (const each of serviceNames) await writeMigration(each, name);
      else await writeMigration(parseService(service), name);
      return;
    case "pending":
      console.log((await pendingMigrationSql(parseService(service))) || "-- nothing pending");
      return;
    default:
      throw new Error("usage: tsx scripts/prisma.ts generate | migration <service|all> <name> | pending <service>");
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
