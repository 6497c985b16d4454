import { seedCategories, seedLocations, seedProducts, seedReviewerCount, seedReviews } from "../seed/catalogData";

/**
 * The whole demo catalog that `npm run seed` loads, checked as data: what a shopper of the demo
 * shop is promised (nested categories, products in sizes and colours, facets, stock in both
 * locations, reviews) and what the loader needs of it (unique SKUs, slugs and names, every
 * product in a known leaf category, one review per reviewer and product, the same catalog on
 * every run). test/integration/seed.test.ts loads a part of it through the router.
 */
describe("the demo catalog", () => {
  const products = seedProducts();
  const categories = seedCategories();
  const variants = products.flatMap((product) => product.variants);
  const reviews = seedReviews(products);

  it("is the same on every run", () => {
    expect(seedProducts()).toEqual(products);
    expect(seedCategories()).toEqual(categories);
    expect(seedReviews(seedProducts())).toEqual(reviews);
  });

  it("has at least 216 products in nested categories, each in a leaf category", () => {
    expect(products.length).toBeGreaterThanOrEqual(216);
    const slugs = new Set(categories.map((category) => category.slug));
    expect(slugs.size).toBe(categories.length);
    const nested = categories.filter((category) => category.parentSlug !== null);
    expect(nested.length).toBeGreaterThan(10);
    expect(nested.every((category) => slugs.has(category.parentSlug!))).toBe(true);
    const leaves = new Set(nested.map((category) => category.slug));
    expect(products.every((product) => leaves.has(product.categorySlug))).toBe(true);
    expect(new Set(products.map((product) => product.categorySlug))).toEqual(leaves);
  });

  it("names every product and variant once: SKUs, slugs and names are unique", () => {
    const skus = variants.map((variant) => variant.sku);
    expect(new Set(skus).size).toBe(skus.length);
    expect(new Set(products.map((product) => product.slug)).size).toBe(products.length);
    expect(new Set(products.map((product) => product.name)).size).toBe(products.length);
    expect(products.every((product) => product.variants[0]!.sku === product.sku)).toBe(true);
    expect(products.every((product) => product.description.length > 0 && product.images.length === 2)).toBe(true);
  });

  it("offers apparel in sizes and colours and shoes in sizes: one variant per combination of the options", () => {
    const withOptions = products.filter((product) => product.options.length > 0);
    expect(withOptions.length).toBeGreaterThanOrEqual(20);
    for (const product of products) {
      const combinations = product.options.reduce((count, option) => count * option.values.length, 1);
      expect(product.variants).toHaveLength(combinations);
      const keys = product.variants.map((variant) =>
        product.options.map((option) => variant.options[option.name]).join("/"),
      );
      expect(new Set(keys).size).toBe(keys.length);
    }
    const optionNames = (slugPrefix: string) =>
      new Set(
        products
          .filter((product) => product.categorySlug.startsWith(slugPrefix))
          .map((product) => product.options.map((option) => option.name).join("+")),
      );
    expect(optionNames("apparel")).toEqual(new Set(["Size+Colour"]));
    expect(optionNames("shoes")).toEqual(new Set(["Size"]));
    expect(optionNames("audio")).toEqual(new Set([""]));
  });

  it("gives the storefront's filters something to filter: several brands, materials and colours", () => {
    const valuesOf = (name: string) =>
      new Set(
        [...products.flatMap((product) => product.attributes), ...variants.flatMap((variant) => variant.attributes)]
          .filter((attribute) => attribute.name === name)
          .map((attribute) => attribute.value),
      );
    expect(valuesOf("Brand").size).toBeGreaterThan(2);
    expect(valuesOf("Material").size).toBeGreaterThan(2);
    expect(valuesOf("Colour").size).toBeGreaterThan(2);
  });

  it("keeps most variants in stock, in both locations", () => {
    const total = (variant: (typeof variants)[number]) =>
      seedLocations.reduce((sum, location) => sum + variant.stock[location.key], 0);
    expect(variants.filter((variant) => total(variant) > 0).length).toBeGreaterThan(variants.length * 0.8);
    for (const location of seedLocations)
      expect(variants.filter((variant) => variant.stock[location.key] > 0).length).toBeGreaterThan(50);
    expect(variants.every((variant) => seedLocations.every((location) => variant.stock[location.key] >= 0))).toBe(true);
  });

  it("has more than 50 reviews, at most one per reviewer and product, rated 1 to 5", () => {
    expect(reviews.length).toBeGreaterThan(50);
    const skus = new Set(products.map((product) => product.sku));
    expect(reviews.every((review) => skus.has(review.sku))).toBe(true);
    expect(reviews.every((review) => review.reviewer >= 0 && review.reviewer < seedReviewerCount)).toBe(true);
    expect(reviews.every((review) => review.rating >= 1 && review.rating <= 5)).toBe(true);
    const pairs = reviews.map((review) => `${review.sku}:${review.reviewer}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  });
});
