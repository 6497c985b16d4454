import { createCategory } from "../../subgraphs/products/domain/categories";
import { createProduct } from "../../subgraphs/products/domain/catalog";
import { graphqlData } from "../support/graphqlClient";
import { countStatements } from "../support/sqlCounter";
import { startServices, type TestServices } from "../support/testServices";
import { waitFor } from "../support/waitFor";

const productsPage = `
  query ProductsPage($first: Int) {
    products(first: $first) {
      totalCount
      edges { node { id sku name price { amount currency } category { id name } rating { average count } stock { available inStock } } }
    }
  }
`;

describe("a page of products with their stock, rating and category, through the router", () => {
  let services: TestServices<"products" | "inventory">;
  let products: TestServices<"products">["products"];
  let inventory: TestServices<"inventory">["inventory"];
  let router: TestServices<"products">["router"];

  beforeAll(async () => {
    services = await startServices(["products", "inventory"]);
    ({ products, inventory, router } = services);
    const deps = { unitOfWork: products.runtime.unitOfWork };
    const audio = await createCategory(deps, { name: "Audio", slug: "audio" });
    for (let index = 0; index < 60; index += 1) {
      await createProduct(deps, {
        sku: `PAGE-${index}`,
        name: `Speaker ${index}`,
        price: `${index}.99`,
        categoryId: index % 2 ? audio.id : null,
        images: [{ url: `https://img.example/${index}.jpg` }],
      });
    }
    await waitFor(
      async () => (await inventory.runtime.db.stockLevel.count()) === 60,
      "stock records for all 60 products",
    );
    await inventory.runtime.db.stockLevel.updateMany({ data: { onHand: 3 } });
  });

  afterAll(async () => {
    await services?.cleanUp();
  });

  async function measure(first: number) {
    return countStatements({ products: products.runtime.db, inventory: inventory.runtime.db }, () =>
      graphqlData(router.url, productsPage, { variables: { first } }),
    );
  }

  it("resolves stock, rating and category of 50 products in a fixed handful of statements", async () => {
    const { result, counts, statements } = await measure(50);
    expect(result.products.edges).toHaveLength(50);
    expect(result.products.totalCount).toBe(60);
    for (const { node } of result.products.edges) expect(node.stock).toEqual({ available: 3, inStock: true });
    expect(result.products.edges.filter(({ node }: { node: { category: unknown } }) => node.category).length).toBe(25);
    // products: the page (ratings are columns of it), the count, the categories; inventory: one
    // lookup for all 50 stock levels.
    expect({ counts, statements }).toMatchObject({ counts: { products: 3, inventory: 1 } });
  });

  it("sends as many statements for 5 products as for 50", async () => {
    const small = await measure(5);
    const large = await measure(50);
    expect(small.result.products.edges).toHaveLength(5);
    expect(large.counts).toEqual(small.counts);
  });
});
