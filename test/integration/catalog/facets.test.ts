import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { loginAdmin, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const browse = `
  query Browse($filter: ProductFilter, $sort: ProductSort) {
    products(first: 50, filter: $filter, sort: $sort) {
      totalCount
      edges { node { name } }
      facets { name values { value count } }
    }
  }
`;

type Facets = Array<{ name: string; values: Array<{ value: string; count: number }> }>;

describe("browsing by attributes, with facet counts, and search suggestions, through the router", () => {
  let services: TestServices<"products" | "inventory">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory"]);
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
    const apparel = await build.category("Apparel");
    const audio = await build.category("Audio");
    await build.productWithVariants({
      name: "Crew Tee",
      categoryId: apparel.id,
      attributes: { Material: "cotton", Brand: "Aurora" },
      options: [
        { name: "Size", values: ["S", "M"] },
        { name: "Colour", values: ["Red", "Blue"] },
      ],
      variants: [
        { options: { Size: "S", Colour: "Red" }, price: "20.00", attributes: { Colour: "red" } },
        { options: { Size: "M", Colour: "Blue" }, price: "24.00", attributes: { Colour: "blue" }, stock: 3 },
      ],
    });
    await build.productWithVariants({
      name: "Zip Hoodie",
      categoryId: apparel.id,
      attributes: { Material: ["cotton", "polyester"], Brand: "Northwind" },
      options: [{ name: "Size", values: ["M", "L"] }],
      variants: [
        { options: { Size: "M" }, price: "55.00", attributes: { Colour: "grey" } },
        { options: { Size: "L" }, price: "55.00", attributes: { Colour: "grey" } },
      ],
    });
    const linen = await build.productWithVariants({
      name: "Linen Shirt",
      categoryId: apparel.id,
      attributes: { Material: "linen", Brand: "aurora" },
      options: [{ name: "Colour", values: ["White", "Green"] }],
      variants: [
        { options: { Colour: "White" }, price: "60.00", attributes: { Colour: "white" } },
        { options: { Colour: "Green" }, price: "60.00", attributes: { Colour: "green" } },
      ],
    });
    // An archived variant's attributes describe nothing for sale.
    await graphqlData(url, `mutation($id: ID!) { productVariantArchive(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: linen.variants[1]!.id },
    });
    await build.product({
      name: "Studio Headphones",
      price: "199.00",
      categoryId: audio.id,
      attributes: { Brand: "Kestrel", Colour: "black" },
      stock: 2,
    });
    // Not for sale: counted by nobody but the back office.
    await build.product({ name: "Draft Scarf", price: "15.00", status: "DRAFT", attributes: { Material: "cotton" } });
    await waitFor(
      async () =>
        (await services.products.runtime.db.variantAvailability.count({ where: { available: { gt: 0 } } })) === 2,
      "availability to reach the catalog",
    );
  });

  afterAll(() => services?.cleanUp());

  const query = async (filter: Record<string, unknown> = {}, token?: string) =>
    (
      await graphqlData<{ products: { totalCount: number; edges: Array<{ node: { name: string } }>; facets: Facets } }>(
        url,
        browse,
        {
          token,
          variables: { filter, sort: "NAME" },
        },
      )
    ).products;

  /**
   * The counts straight from the database, written independently of the service: products for
   * sale that carry each value (themselves or through a variant for sale), among the products
   * that meet `condition` (SQL over `p`).
   */
  async function sqlCounts(condition = "true"): Promise<Record<string, Record<string, number>>> {
    const rows = await services.products.runtime.db.$queryRawUnsafe<
      Array<{ name: string; value: string; count: bigint }>
    >(`
      SELECT lower(a.name) AS name, lower(a.value) AS value, count(DISTINCT p.id) AS count
        FROM products p
        JOIN product_attributes a ON a.product_id = p.id
        LEFT JOIN product_variants v ON v.id = a.variant_id
       WHERE p.status = 'ACTIVE' AND (a.variant_id IS NULL OR NOT v.archived) AND (${condition})
       GROUP BY 1, 2`);
    const counts: Record<string, Record<string, number>> = {};
    for (const row of rows) (counts[row.name] ??= {})[row.value] = Number(row.count);
    return counts;
  }

  const asCounts = (facets: Facets) =>
    Object.fromEntries(
      facets.map((facet) => [
        facet.name.toLowerCase(),
        Object.fromEntries(facet.values.map((value) => [value.value.toLowerCase(), value.count])),
      ]),
    );

  const carries = (name: string, values: string[]) => `EXISTS (
    SELECT 1 FROM product_attributes x LEFT JOIN product_variants xv ON xv.id = x.variant_id
     WHERE x.product_id = p.id AND (x.variant_id IS NULL OR NOT xv.archived)
       AND lower(x.name) = '${name}' AND lower(x.value) IN (${values.map((value) => `'${value}'`).join(", ")}))`;

  it("counts every attribute value of the catalog as the database does", async () => {
    const page = await query();
    expect(page.totalCount).toBe(4);
    expect(asCounts(page.facets)).toEqual(await sqlCounts());
    expect(asCounts(page.facets)).toEqual({
      brand: { aurora: 2, northwind: 1, kestrel: 1 },
      colour: { red: 1, blue: 1, grey: 1, white: 1, black: 1 },
      material: { cotton: 2, polyester: 1, linen: 1 },
    });
    // Facets by name, values most frequent first; "Aurora" and "aurora" are one value.
    expect(page.facets.map((facet) => facet.name)).toEqual(["Brand", "Colour", "Material"]);
    expect(page.facets[2]!.values[0]).toEqual({ value: "cotton", count: 2 });
  });

  it("filters by attributes, ignoring letter case, and counts each facet under the other conditions", async () => {
    const cotton = await query({ attributes: [{ name: "material", values: ["COTTON"] }] });
    expect(cotton.edges.map((edge) => edge.node.name)).toEqual(["Crew Tee", "Zip Hoodie"]);
    const counts = asCounts(cotton.facets);
    // The material facet leaves its own condition aside, so the other materials stay countable...
    expect(counts.material).toEqual((await sqlCounts()).material);
    // ...and every other facet counts only cotton products.
    const underCotton = await sqlCounts(carries("material", ["cotton"]));
    expect({ brand: counts.brand, colour: counts.colour }).toEqual({
      brand: underCotton.brand,
      colour: underCotton.colour,
    });
    expect(counts.brand).toEqual({ aurora: 1, northwind: 1 });

    const auroraCotton = await query({
      attributes: [
        { name: "Material", values: ["cotton", "linen"] },
        { name: "Brand", values: ["aurora"] },
      ],
    });
    expect(auroraCotton.edges.map((edge) => edge.node.name)).toEqual(["Crew Tee", "Linen Shirt"]);
    expect(asCounts(auroraCotton.facets).brand).toEqual(
      (await sqlCounts(carries("material", ["cotton", "linen"]))).brand,
    );
    expect(asCounts(auroraCotton.facets).colour).toEqual(
      (await sqlCounts(`${carries("material", ["cotton", "linen"])} AND ${carries("brand", ["aurora"])}`)).colour,
    );
    // A variant's attribute counts for its product; an archived variant's does not.
    expect(
      (await query({ attributes: [{ name: "Colour", values: ["blue"] }] })).edges.map((edge) => edge.node.name),
    ).toEqual(["Crew Tee"]);
    expect((await query({ attributes: [{ name: "Colour", values: ["green"] }] })).totalCount).toBe(0);
  });

  it("keeps the other filters in the facets: category, price of any variant, and stock of any variant", async () => {
    // The tee's lowest price is 20.00, but one variant costs 24.00.
    const pricey = await query({ minPrice: "23.00", maxPrice: "30.00" });
    expect(pricey.edges.map((edge) => edge.node.name)).toEqual(["Crew Tee"]);
    expect(asCounts(pricey.facets)).toEqual(
      await sqlCounts(
        "EXISTS (SELECT 1 FROM product_variants pv WHERE pv.product_id = p.id AND NOT pv.archived AND pv.price_minor BETWEEN 2300 AND 3000)",
      ),
    );
    const inStock = await query({ inStock: true });
    expect(inStock.edges.map((edge) => edge.node.name)).toEqual(["Crew Tee", "Studio Headphones"]);
    expect(asCounts(inStock.facets)).toEqual(
      await sqlCounts(
        "EXISTS (SELECT 1 FROM variant_availability va JOIN product_variants pv ON pv.id = va.variant_id WHERE va.product_id = p.id AND va.available > 0 AND NOT pv.archived)",
      ),
    );
    const searched = await query({ search: "shirt" });
    expect(searched.edges.map((edge) => edge.node.name)).toEqual(["Linen Shirt"]);
    expect(asCounts(searched.facets)).toEqual({ brand: { aurora: 1 }, colour: { white: 1 }, material: { linen: 1 } });
    expect(
      (await query({ attributes: [{ name: "Material", values: ["cotton"] }] }, admin.accessToken)).totalCount,
    ).toBe(3);
  });

  it.each([
    [{ attributes: [{ name: "", values: ["x"] }] }, "filter.attributes.0.name"],
    [{ attributes: [{ name: "Material", values: [] }] }, "filter.attributes.0.values"],
    [{ attributes: Array.from({ length: 11 }, () => ({ name: "a", values: ["b"] })) }, "filter.attributes"],
  ])("refuses the filter %j naming the field", async (filter, field) => {
    expect((await graphql(url, browse, { variables: { filter } })).errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field,
    });
  });

  it("suggests categories and products whose words start with what was typed, for sale only", async () => {
    const suggest = async (prefix: string, first?: number) =>
      (
        await graphqlData(
          url,
          `query($prefix: String!, $first: Int) { searchSuggestions(prefix: $prefix, first: $first) { text product { id name } category { id name } } }`,
          { variables: { prefix, first } },
        )
      ).searchSuggestions.map((suggestion: { text: string; product: unknown; category: unknown }) => [
        suggestion.text,
        suggestion.product ? "product" : suggestion.category ? "category" : "?",
      ]);
    expect(await suggest("hoo")).toEqual([["Zip Hoodie", "product"]]);
    expect(await suggest("studio HEA")).toEqual([["Studio Headphones", "product"]]);
    expect(await suggest("app")).toEqual([["Apparel", "category"]]);
    // A name that starts with it comes before one with a later word that does.
    expect(await suggest("s")).toEqual([
      ["Studio Headphones", "product"],
      ["Linen Shirt", "product"],
    ]);
    expect(await suggest("s", 1)).toHaveLength(1);
    expect(await suggest("scarf")).toEqual([]);
    expect(await suggest("!!!")).toEqual([]);
    expect(
      (
        await graphql(
          url,
          `
            query {
              searchSuggestions(prefix: "a", first: 50) {
                text
              }
            }
          `,
        )
      ).errors?.[0]?.extensions,
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
  });
});
