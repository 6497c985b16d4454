import { seedCatalog } from "../../scripts/seed/seedCatalog";
import { seedLocations, seedProducts, seedReviews, type SeedProduct } from "../../scripts/seed/catalogData";
import { graphqlData } from "../support/graphqlClient";
import { startServices, type TestServices } from "../support/testServices";
import { testAdmin } from "../support/testSubgraph";
import { waitFor } from "../support/waitFor";

/**
 * Two products of every leaf category: every kind of product the demo catalog has (apparel in
 * sizes and colours, shoes in sizes, products without options), loaded the way the whole catalog
 * is. The whole catalog, as data, is checked in scripts/__tests__/catalogData.test.ts; loading all
 * of it through the router took over two minutes of this suite and proved nothing more.
 */
function twoOfEveryCategory(all: readonly SeedProduct[]): SeedProduct[] {
  const taken = new Map<string, number>();
  return all.filter((product) => {
    const count = taken.get(product.categorySlug) ?? 0;
    taken.set(product.categorySlug, count + 1);
    return count < 2;
  });
}

describe("npm run seed", () => {
  let services: TestServices<"products" | "inventory">;

  beforeAll(async () => {
    services = await startServices(["products", "inventory"]);
  });

  afterAll(() => services?.cleanUp());

  const products = twoOfEveryCategory(seedProducts());
  const variants = products.flatMap((product) => product.variants);
  const variantCount = variants.length;
  const stocked = (key: (typeof seedLocations)[number]["key"]) => variants.filter((variant) => variant.stock[key] > 0);

  const snapshot = async () => ({
    categories: await services.products.runtime.db.category.count(),
    nested: await services.products.runtime.db.category.count({ where: { parentId: { not: null } } }),
    products: await services.products.runtime.db.product.count(),
    withOptions: await services.products.runtime.db.product.count({ where: { options: { some: {} } } }),
    variants: await services.products.runtime.db.productVariant.count(),
    described: await services.products.runtime.db.product.count({ where: { description: { not: "" } } }),
    images: await services.products.runtime.db.productImage.count(),
    attributes: await services.products.runtime.db.productAttribute.count(),
    reviews: await services.products.runtime.db.review.count(),
    locations: await services.inventory.runtime.db.stockLocation.count(),
    movements: await services.inventory.runtime.db.stockMovement.count(),
    inStock: await services.inventory.runtime.db.stockLevel.count({ where: { onHand: { gt: 0 } } }),
    users: await services.users.runtime.db.user.count(),
  });

  it("loads a browsable catalog with options, attributes and two stock locations, and a second run changes nothing", async () => {
    const options = {
      routerUrl: services.router.url,
      adminEmail: testAdmin.email,
      adminPassword: testAdmin.password,
      products,
    };
    const first = await seedCatalog(options);
    expect(first.products.created).toBe(products.length);
    expect(first.variants.created).toBe(variantCount);
    await waitFor(
      async () => (await services.inventory.runtime.db.stockLevel.count()) === variantCount,
      "stock records for every variant",
    );
    const afterFirst = await snapshot();
    expect(afterFirst).toMatchObject({
      products: products.length,
      variants: variantCount,
      described: products.length,
      images: products.length * 2,
      locations: seedLocations.length,
    });
    expect(afterFirst.withOptions).toBe(products.filter((product) => product.options.length > 0).length);
    expect(afterFirst.withOptions).toBeGreaterThanOrEqual(8);
    expect(afterFirst.nested).toBeGreaterThan(10);
    expect(afterFirst.reviews).toBe(seedReviews(products).length);
    expect(first.reviews.created).toBe(afterFirst.reviews);
    expect(afterFirst.reviews).toBeGreaterThan(0);
    expect(afterFirst.inStock).toBe(variants.filter((variant) => variant.stock.main + variant.stock.east > 0).length);
    // Stock sits in both locations, as the catalog says.
    const perLocation = await services.inventory.runtime.db.locationStockLevel.groupBy({
      by: ["locationId"],
      where: { onHand: { gt: 0 } },
      _count: true,
    });
    expect(perLocation.map((row) => row._count).sort((a, b) => a - b)).toEqual(
      [stocked("main").length, stocked("east").length].sort((a, b) => a - b),
    );
    expect(Math.min(stocked("main").length, stocked("east").length)).toBeGreaterThan(10);

    // What a shopper sees: apparel in sizes and colours, shoes in sizes, electronics without options, and facets.
    const browse = await graphqlData(
      services.router.url,
      `query { products(first: 1) { totalCount facets { name values { value count } } } }`,
    );
    const facets = Object.fromEntries(
      browse.products.facets.map((facet: { name: string; values: unknown[] }) => [facet.name, facet.values.length]),
    );
    expect(facets).toMatchObject({
      Brand: expect.any(Number),
      Material: expect.any(Number),
      Colour: expect.any(Number),
    });
    expect(Math.min(facets.Brand, facets.Material, facets.Colour)).toBeGreaterThan(2);
    const optionsIn = async (slug: string) => {
      const { category } = await graphqlData(
        services.router.url,
        `query($slug: String) { category(slug: $slug) { id } }`,
        {
          variables: { slug },
        },
      );
      const { products: page } = await graphqlData(
        services.router.url,
        `query($id: ID) { products(first: 100, filter: { categoryId: $id }) { edges { node { options { name } } } } }`,
        { variables: { id: category.id } },
      );
      return new Set(
        page.edges.map((edge: { node: { options: Array<{ name: string }> } }) =>
          edge.node.options.map((option) => option.name).join("+"),
        ),
      );
    };
    expect(await optionsIn("apparel")).toEqual(new Set(["Size+Colour"]));
    expect(await optionsIn("shoes")).toEqual(new Set(["Size"]));
    expect(await optionsIn("audio")).toEqual(new Set([""]));

    const second = await seedCatalog(options);
    expect(second).toMatchObject({
      locations: { created: 0, existing: seedLocations.length },
      categories: { created: 0 },
      products: { created: 0, existing: first.products.created },
      variants: { created: 0 },
      reviewers: { created: 0 },
      reviews: { created: 0, existing: first.reviews.created },
    });
    expect(await snapshot()).toEqual(afterFirst);
  }, 180_000);
});
