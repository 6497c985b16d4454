import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { projectRoot } from "../projectRoot";

/**
 * Generates a service's Prisma client with Prisma 7's CLI (the `prisma7` npm alias), while
 * migrations stay on Prisma 6.19's CLI (`prismaCli.ts`): 7's client caches its compiled query
 * plans (about twice 6.19's `findUnique`/`findMany` rate here), but 7's CLI wants the native schema
 * engine for everything else, and a Prisma 7 schema may not name the `url` 6.19 needs
 * (docs/toolchain.md). So the client is generated offline from a copy of the schema without the
 * `url` line and with `PRISMA_SCHEMA_ENGINE_BINARY=/bin/false`, into the service's own folder.
 */
export async function generatePrismaClient(service: string): Promise<void> {
  const schemaFolder = path.join(projectRoot, "prisma", service, "schema");
  const work = mkdtempSync(path.join(tmpdir(), `prisma-client-${service}-`));
  try {
    const copy = path.join(work, "schema");
    const output = path.join(projectRoot, "subgraphs", service, "generated", "prisma");
    mkdirSync(copy);
    for (const file of readdirSync(schemaFolder).filter((name) => name.endsWith(".prisma"))) {
      writeFileSync(path.join(copy, file), forPrisma7(readFileSync(path.join(schemaFolder, file), "utf8"), output));
    }
    writeFileSync(path.join(work, "prisma.config.cjs"), `module.exports = { schema: ${JSON.stringify(copy)} };\n`);
    await run(work, ["generate", "--config", path.join(work, "prisma.config.cjs")]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The schema as Prisma 7 takes it: no datasource `url`, no `engineType`, the output absolute. */
export function forPrisma7(schema: string, output: string): string {
  return schema
    .replace(/^\s*url\s*=\s*env\("DATABASE_URL"\)\s*$/m, "")
    .replace(/^\s*engineType\s*=.*$/m, "")
    .replace(/^(\s*output\s*=\s*)".*"\s*$/m, `$1${JSON.stringify(output)}`);
}

function run(cwd: string, args: readonly string[]): Promise<void> {
  const cli = require.resolve("prisma7/build/index.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: {
        ...process.env,
        // Refuses the native engine download the CLI would otherwise try (these machines cannot reach it).
        PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false",
        CHECKPOINT_DISABLE: "1",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`prisma 7 ${args.join(" ")} exited with ${code}: ${output.trim()}`)),
    );
  });
}
