import { seedWhenEmpty } from "../../scripts/seed/seedWhenEmpty";
import { CatalogBuilder } from "../support/catalogBuilder";
import { loginAdmin } from "../support/identity";
import { startServices, type TestServices } from "../support/testServices";
import { testAdmin } from "../support/testSubgraph";
import { waitFor } from "../support/waitFor";

/** `npm start` in development loads the demo catalog into an empty shop, and only into an empty one. */
describe("seeding the demo catalog on the first start", () => {
  let services: TestServices<"products" | "inventory">;

  beforeAll(async () => {
    services = await startServices(["products", "inventory"]);
  });

  afterAll(() => services?.cleanUp());

  it("seeds an empty catalog, then leaves a catalog with products alone", async () => {
    const options = { routerUrl: services.router.url, adminEmail: testAdmin.email, adminPassword: testAdmin.password };
    const seeded: string[] = [];
    // A catalog of one product stands in for the demo catalog: the decision is what is tested here.
    const seedOne = async () => {
      const admin = await loginAdmin(services.router.url);
      const product = await new CatalogBuilder(services.router.url, admin.accessToken).product({
        name: "Seed Lamp",
        price: "12.00",
      });
      seeded.push(product.id);
    };

    expect(await seedWhenEmpty(options, seedOne)).toBe("seeded");
    expect(seeded).toHaveLength(1);
    await waitFor(async () => (await services.products.runtime.db.product.count()) === 1, "the product");

    expect(await seedWhenEmpty(options, seedOne)).toBe("not empty");
    expect(seeded).toHaveLength(1);
    expect(await services.products.runtime.db.product.count()).toBe(1);
  });
});
