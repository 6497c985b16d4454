/**
 * Prisma CLI configuration, shared by the six service schemas.
 *
 * The CLI is always run for one service at a time (`PRISMA_SERVICE=products prisma ...`, or
 * through `scripts/prisma.ts`). Prisma's native engines cannot be downloaded on these machines,
 * so the CLI runs its WebAssembly schema engine through the `pg` driver adapter (see
 * docs/toolchain.md). `allowExitOnIdle` lets the CLI exit as soon as it is done instead of waiting
 * out the pool's idle timeout.
 *
 * `PRISMA_MIGRATIONS_DIR` points `migrate` at another folder of migrations: tests apply a service's
 * migrations up to an earlier one (a copy of the first few), fill the database as the older schema
 * had it, then apply the rest from the real folder, to check that a migration keeps every row.
 *
 * Hand-written migration SQL (generated columns, GIN indexes, CHECK constraints) must not put a
 * semicolon inside a comment: the WebAssembly engine splits statements on every semicolon.
 */
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

const service = process.env.PRISMA_SERVICE;
if (!service) {
  throw new Error("PRISMA_SERVICE must name the service whose schema to use (for example PRISMA_SERVICE=products)");
}

// The schema's datasource reads DATABASE_URL; when it is unset the CLI cannot read the schema and
// falls back to downloading a native engine. Commands that touch no database (generate, diff)
// run with this placeholder.
process.env.DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/postgres";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", service, "schema"),
  migrations: { path: process.env.PRISMA_MIGRATIONS_DIR ?? path.join("prisma", service, "migrations") },
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL, allowExitOnIdle: true });
  },
});
