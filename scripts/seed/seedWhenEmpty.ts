import { seedCatalog, type SeedOptions } from "./seedCatalog";

/** How many products a visitor of the catalog sees, through the router. */
async function visibleProducts(routerUrl: string): Promise<number> {
  const response = await fetch(routerUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ products(first: 1) { totalCount } }" }),
  });
  const body = (await response.json()) as { data?: { products?: { totalCount: number } }; errors?: unknown[] };
  if (!body.data?.products) throw new Error(`could not count the catalog's products: ${JSON.stringify(body.errors)}`);
  return body.data.products.totalCount;
}

/**
 * The first start in development: loads the demo catalog when the catalog is empty, so Sandbox
 * shows a shop at once. A catalog with any product is left alone. `seed` is the demo catalog's
 * loader unless another is given.
 */
export async function seedWhenEmpty(
  options: SeedOptions,
  seed: (options: SeedOptions) => Promise<unknown> = seedCatalog,
): Promise<"seeded" | "not empty"> {
  if ((await visibleProducts(options.routerUrl)) > 0) return "not empty";
  await seed(options);
  return "seeded";
}
