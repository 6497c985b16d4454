import { readFileSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { routerEnvironment } from "../../router";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { inventoryEnvironment } from "../../subgraphs/inventory";
import { notificationsEnvironment } from "../../subgraphs/notifications";
import { ordersEnvironment } from "../../subgraphs/orders";
import { paymentsEnvironment } from "../../subgraphs/payments";
import { productsEnvironment } from "../../subgraphs/products";
import { usersEnvironment } from "../../subgraphs/users";
import { deadLettersEnvironment } from "../deadLetters";
import { stackEnvironment } from "../stackEnvironment";
import { storefrontEnvironment } from "../../storefront/server/environment";

/** The variables a schema reads (refined schemas keep theirs in `in`). */
function keysOf(schema: z.ZodType): string[] {
  const shaped = schema as unknown as { shape?: Record<string, unknown>; def?: { in?: z.ZodType; schema?: z.ZodType } };
  if (shaped.shape) return Object.keys(shaped.shape);
  const inner = shaped.def?.in ?? shaped.def?.schema;
  return inner ? keysOf(inner) : [];
}

describe(".env.example", () => {
  const documented = readFileSync(path.join(projectRoot, ".env.example"), "utf8");
  const schemas = {
    routerEnvironment,
    usersEnvironment,
    productsEnvironment,
    inventoryEnvironment,
    ordersEnvironment,
    paymentsEnvironment,
    notificationsEnvironment,
    stackEnvironment,
    deadLettersEnvironment,
    storefrontEnvironment,
  };
  const variables = [...new Set(Object.values(schemas).flatMap((schema) => keysOf(schema as z.ZodType)))].sort();

  it("finds the variables of every process", () => {
    expect(variables.length).toBeGreaterThan(50);
  });

  it.each(variables)("documents %s", (variable) => {
    expect(documented).toMatch(new RegExp(`^#? ?${variable}=`, "m"));
  });
});
