import { existsSync } from "node:fs";
import path from "node:path";

/** The folder holding package.json, prisma.config.ts, prisma/ and schema/, from source or from dist/. */
export const projectRoot = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, "prisma.config.ts"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`prisma.config.ts not found above ${start}`);
    dir = parent;
  }
  return dir;
}
