import { readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../../projectRoot";
import { serviceNames } from "../../serviceNames";
import { forPrisma7 } from "../prismaClientGenerator";

describe("the Prisma client generator", () => {
  it("gives Prisma 7 the schema without the url 6.19's CLI needs, and writes into the service's folder", () => {
    const schema = readFileSync(path.join(projectRoot, "prisma", "orders", "schema", "schema.prisma"), "utf8");
    expect(schema).toMatch(/url\s*=\s*env\("DATABASE_URL"\)/);
    const copy = forPrisma7(schema, "/app/subgraphs/orders/generated/prisma");
    expect(copy).not.toMatch(/url\s*=\s*env/);
    expect(copy).not.toMatch(/engineType/);
    expect(copy).toMatch(/output\s+= "\/app\/subgraphs\/orders\/generated\/prisma"/);
    expect(copy).toContain('provider = "postgresql"');
    // Models and fields named like the removed settings stay as they are.
    expect(copy).toContain('imageUrl            String?  @map("image_url")');
  });

  it("generated every service's client with Prisma 7.10, the runtime installed", () => {
    const installed = JSON.parse(
      readFileSync(path.join(projectRoot, "node_modules", "@prisma", "client", "package.json"), "utf8"),
    ) as { version: string };
    expect(installed.version).toBe("7.10.0");
    for (const service of serviceNames) {
      const client = readFileSync(
        path.join(projectRoot, "subgraphs", service, "generated", "prisma", "internal", "class.ts"),
        "utf8",
      );
      expect(client).toContain(`"clientVersion": "${installed.version}"`);
    }
  });
});
