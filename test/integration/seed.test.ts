import { seedCatalog } from "../../scripts/seed/seedCatalog";
import { seedProducts } from "../../scripts/seed/catalogData";
import { startServices, type TestServices } from "../support/testServices";
import { testAdmin } from "../support/testSubgraph";
import { waitFor } from "../support/waitFor";

describe("npm run seed", () => {
  let services: TestServices<"products" | "inventory">;

  beforeAll(async () => {
    services = await startServices(["products", "inventory"]);
  });

  afterAll(() => services?.cleanUp());

  const snapshot = async () => ({
    categories: await services.products.runtime.db.category.count(),
    nested: await services.products.runtime.db.category.count({ where: { parentId: { not: null } } }),
    products: await services.products.runtime.db.product.count(),
    described: await services.products.runtime.db.product.count({ where: { description: { not: "" } } }),
    images: await services.products.runtime.db.productImage.count(),
    reviews: await services.products.runtime.db.review.count(),
    movements: await services.inventory.runtime.db.stockMovement.count(),
    inStock: await services.inventory.runtime.db.stockLevel.count({ where: { onHand: { gt: 0 } } }),
    users: await services.users.runtime.db.user.count(),
  });

  it("loads a realistic catalog, and a second run changes nothing", async () => {
    const options = { routerUrl: services.router.url, adminEmail: testAdmin.email, adminPassword: testAdmin.password };
    const first = await seedCatalog(options);
    expect(first.products.created).toBeGreaterThanOrEqual(200);
    await waitFor(
      async () => (await services.inventory.runtime.db.stockLevel.count()) === first.products.created,
      "stock records for every product",
    );
    const afterFirst = await snapshot();
    expect(afterFirst).toMatchObject({
      products: seedProducts().length,
      described: seedProducts().length,
      images: seedProducts().length * 2,
    });
    expect(afterFirst.nested).toBeGreaterThan(10);
    expect(afterFirst.reviews).toBeGreaterThan(50);
    expect(afterFirst.inStock).toBeGreaterThan(180);

    const second = await seedCatalog(options);
    expect(second).toMatchObject({
      categories: { created: 0 },
      products: { created: 0, existing: first.products.created },
      reviewers: { created: 0 },
      reviews: { created: 0, existing: first.reviews.created },
    });
    expect(await snapshot()).toEqual(afterFirst);
  });
});
