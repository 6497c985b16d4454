import { createCategory, createProduct, createVariants, setProductOptions } from "../../subgraphs/products";
import { graphqlData } from "../support/graphqlClient";
import { recordSentStatements, withoutBackground } from "../support/sqlCounter";
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

/** With a literal page size: the router costs a variable `first` as the largest page. */
const variantsPage = (first: number) => `
  query VariantsPage {
    products(first: ${first}) {
      edges { node { id options { name values } attributes { name value } priceRange { min { amount } max { amount } }
        defaultVariant { id sku }
        variants(first: 5) { totalCount edges { node { id title price { amount } selectedOptions { name value }
          image { url } attributes { name } stock { available inStock } } } } } }
    }
  }
`;

/** Work no request does: the outbox relay's and workers' polls, transaction control, readiness probes. */
const background = /outbox_event|processed_event|next_attempt_at <= now\(\)|expires_at < now\(\)|^SELECT 1$/i;
const control = /^\s*(BEGIN|COMMIT|ROLLBACK)\b/i;

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

  /**
   * The statements each service's database was sent while `work` ran, counted on the wire (every
   * `pg` connection: Prisma's and the services' own named SQL on the shared pool alike).
   */
  async function countStatements<T>(work: () => Promise<T>) {
    const databaseOf = (runtime: { databaseUrl: string }) => new URL(runtime.databaseUrl).pathname.slice(1);
    const names = { products: databaseOf(products.runtime), inventory: databaseOf(inventory.runtime) };
    const { result, statements } = await recordSentStatements(work);
    const own = withoutBackground(statements, background).filter((each) => !control.test(each.text));
    const of = (database: string) => own.filter((each) => each.database === database).map((each) => each.text);
    return {
      result,
      counts: { products: of(names.products).length, inventory: of(names.inventory).length },
      statements: [...of(names.products), ...of(names.inventory)],
    };
  }

  async function measure(first: number) {
    return countStatements(() => graphqlData(router.url, productsPage, { variables: { first } }));
  }

  it("resolves stock, rating and category of 50 products in a fixed handful of statements", async () => {
    const { result, counts, statements } = await measure(50);
    expect(result.products.edges).toHaveLength(50);
    expect(result.products.totalCount).toBe(60);
    for (const { node } of result.products.edges) expect(node.stock).toEqual({ available: 3, inStock: true });
    expect(result.products.edges.filter(({ node }: { node: { category: unknown } }) => node.category).length).toBe(25);
    // products: the page with its count (ratings are columns of it), the categories; inventory:
    // one lookup for all 50 stock levels.
    expect({ counts, statements }).toMatchObject({ counts: { products: 2, inventory: 1 } });
  });

  it("serves the checkout bench's page and product in one statement each at the products service", async () => {
    const benchPage = `query Products($first: Int) { products(first: $first) { totalCount edges { node { id name price { amount currency } rating { average count } stock { available inStock } } } } }`;
    const benchProduct = `query Product($id: ID!) { product(id: $id) { id name description price { amount currency } rating { average count } stock { available inStock } } }`;
    const page = await countStatements(() => graphqlData(router.url, benchPage, { variables: { first: 20 } }));
    expect(page.result.products.edges).toHaveLength(20);
    expect(page.result.products.totalCount).toBe(60);
    expect(page.counts).toEqual({ products: 1, inventory: 1 });
    const id = page.result.products.edges[3].node.id;
    const product = await countStatements(() => graphqlData(router.url, benchProduct, { variables: { id } }));
    expect(product.result.product).toMatchObject({ id, stock: { available: 3, inStock: true } });
    expect(product.counts).toEqual({ products: 1, inventory: 1 });
  });

  it("sends as many statements for 5 products as for 50", async () => {
    const small = await measure(5);
    const large = await measure(50);
    expect(small.result.products.edges).toHaveLength(5);
    expect(large.counts).toEqual(small.counts);
  });

  it("resolves the options, attributes and variants of a page, with the variants' images and stock, in as many statements for 5 products as for 20", async () => {
    const deps = { unitOfWork: products.runtime.unitOfWork };
    // Ten more, newest, each in two finishes, with attributes of their own and of each variant.
    for (let index = 0; index < 10; index += 1) {
      const product = await createProduct(deps, {
        sku: `FINISH-${index}`,
        name: `Shelf ${index}`,
        price: "40.00",
        attributes: [{ name: "Brand", value: `Brand ${index % 3}` }],
      });
      await setProductOptions(deps, product.id, [{ name: "Finish", values: ["Oak", "Walnut"] }]);
      await createVariants(deps, product.id, [
        {
          sku: `FINISH-${index}-W`,
          price: "45.00",
          selectedOptions: [{ name: "Finish", value: "Walnut" }],
          images: [{ url: `https://img.example/walnut-${index}.jpg` }],
          attributes: [{ name: "Wood", value: "walnut" }],
        },
      ]);
    }
    await waitFor(
      async () => (await inventory.runtime.db.stockLevel.count()) === 80,
      "stock records for all 80 variants",
    );
    await inventory.runtime.db.stockLevel.updateMany({ data: { onHand: 3 } });
    const measureVariants = (first: number) => countStatements(() => graphqlData(router.url, variantsPage(first)));
    const small = await measureVariants(5);
    const large = await measureVariants(20);
    expect(large.result.products.edges).toHaveLength(20);
    const variants = large.result.products.edges.flatMap(
      (edge: { node: { variants: { edges: Array<{ node: { stock: unknown } }> } } }) => edge.node.variants.edges,
    );
    expect(variants).toHaveLength(30);
    for (const { node } of variants) expect(node.stock).toEqual({ available: 3, inStock: true });
    expect(large.result.products.edges[0].node).toMatchObject({
      options: [{ name: "Finish", values: ["Oak", "Walnut"] }],
      priceRange: { min: { amount: "40.00" }, max: { amount: "45.00" } },
    });
    // products: the page, then one statement each for options, attributes, variants, the
    // variants' images and (their fallback) the products' images, and the variants'
    // attributes; inventory: one for the stock of every variant.
    expect(large.counts).toEqual({ products: 7, inventory: 1 });
    expect(small.counts).toEqual(large.counts);
  });
});
