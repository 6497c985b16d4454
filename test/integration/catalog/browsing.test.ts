import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const productsQuery = `
  query Products($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
    products(first: $first, after: $after, filter: $filter, sort: $sort) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id sku name slug price { amount currency } category { id name } rating { average count } stock { available inStock } } }
    }
  }
`;

type ProductsPage = {
  products: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: Array<{ node: { id: string; name: string; price: { amount: string }; rating: { average: number | null } } }>;
  };
};

describe("browsing the catalog through the router", () => {
  let services: TestServices<"products" | "inventory">;
  let url: string;
  let admin: Session;
  let customer: Session;
  const ids: Record<string, string> = {};
  const categories: Record<string, string> = {};

  const names = async (variables: Record<string, unknown>, token?: string) =>
    (
      await graphqlData<ProductsPage>(url, productsQuery, { token, variables: { first: 100, ...variables } })
    ).products.edges.map((edge) => edge.node.name);

  beforeAll(async () => {
    services = await startServices(["products", "inventory"]);
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url);
    const build = new CatalogBuilder(url, admin.accessToken);
    categories.audio = (await build.category("Audio")).id;
    categories.headphones = (await build.category("Headphones", categories.audio)).id;
    categories.wireless = (await build.category("Wireless", categories.headphones)).id;
    categories.kitchen = (await build.category("Kitchen")).id;
    const catalog = [
      {
        key: "studio",
        name: "Studio Headphones",
        price: "199.00",
        description: "Closed-back headphones for mixing and mastering.",
        categoryId: categories.headphones,
        stock: 5,
      },
      {
        key: "buds",
        name: "Wireless Earbuds",
        price: "89.50",
        description: "True wireless earbuds with noise cancelling headphones technology.",
        categoryId: categories.wireless,
        stock: 12,
      },
      {
        key: "speaker",
        name: "Bookshelf Speaker",
        price: "149.99",
        description: "A compact passive speaker.",
        categoryId: categories.audio,
        stock: 0,
      },
      {
        key: "grinder",
        name: "Coffee Grinder",
        price: "59.00",
        description: "Conical burr grinder for espresso.",
        categoryId: categories.kitchen,
        stock: 3,
      },
      {
        key: "kettle",
        name: "Gooseneck Kettle",
        price: "59.00",
        description: "Pour-over kettle with temperature control.",
        categoryId: categories.kitchen,
        stock: 8,
      },
      {
        key: "old",
        name: "Vintage Headphones",
        price: "19.99",
        description: "Discontinued model.",
        categoryId: categories.headphones,
        stock: 1,
      },
    ];
    for (const item of catalog) ids[item.key] = (await build.product(item)).id;
    await graphqlData(url, `mutation($id: ID!) { archiveProduct(id: $id) { id archived } }`, {
      token: admin.accessToken,
      variables: { id: ids.old },
    });
    // inStock filters read the products service's availability read model, fed by inventory's events.
    await waitFor(
      async () =>
        (await services.products.runtime.db.variantAvailability.count({ where: { available: { gt: 0 } } })) === 5,
      "availability to reach the catalog",
    );
    const review = (productId: string, rating: number, token: string) =>
      graphqlData(url, `mutation($input: AddReviewInput!) { addReview(input: $input) { id } }`, {
        token,
        variables: { input: { productId, rating, title: "Review" } },
      });
    const reviewer = await registerCustomer(url);
    await review(ids.kettle!, 5, customer.accessToken);
    await review(ids.kettle!, 4, reviewer.accessToken);
    await review(ids.studio!, 3, customer.accessToken);
  });

  afterAll(() => services?.cleanUp());

  it("lists categories with their parents, parents first", async () => {
    const { categories: list } = await graphqlData(url, `query { categories { id name slug parent { id name } } }`);
    expect(list.map((category: { name: string }) => category.name)).toEqual([
      "Audio",
      "Kitchen",
      "Headphones",
      "Wireless",
    ]);
    expect(list.find((category: { name: string }) => category.name === "Wireless").parent).toEqual({
      id: categories.headphones,
      name: "Headphones",
    });
  });

  it("lists the newest first by default and hides archived products from customers", async () => {
    expect(await names({}, customer.accessToken)).toEqual([
      "Gooseneck Kettle",
      "Coffee Grinder",
      "Bookshelf Speaker",
      "Wireless Earbuds",
      "Studio Headphones",
    ]);
    expect(await names({}, admin.accessToken)).toContain("Vintage Headphones");
    const archived = await graphql(
      url,
      `
        query ($id: ID!) {
          product(id: $id) {
            id
          }
        }
      `,
      { token: customer.accessToken, variables: { id: ids.old } },
    );
    expect(archived.data?.product).toBeNull();
    expect(archived.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const forAdmin = await graphqlData(url, `query($id: ID!) { product(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: ids.old },
    });
    expect(forAdmin.product).toEqual({ id: ids.old });
    const unknown = await graphql(
      url,
      `
        query ($id: ID!) {
          product(id: $id) {
            id
          }
        }
      `,
      { variables: { id: "00000000-0000-4000-8000-000000000000" } },
    );
    expect(unknown.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it.each([
    ["PRICE_ASC", ["Coffee Grinder", "Gooseneck Kettle", "Wireless Earbuds", "Bookshelf Speaker", "Studio Headphones"]],
    [
      "PRICE_DESC",
      ["Studio Headphones", "Bookshelf Speaker", "Wireless Earbuds", "Gooseneck Kettle", "Coffee Grinder"],
    ],
    ["NAME", ["Bookshelf Speaker", "Coffee Grinder", "Gooseneck Kettle", "Studio Headphones", "Wireless Earbuds"]],
    ["RATING", ["Gooseneck Kettle", "Studio Headphones", "Wireless Earbuds", "Bookshelf Speaker", "Coffee Grinder"]],
  ])("sorts by %s", async (sort, expected) => {
    const listed = await names({ sort });
    if (sort === "RATING") {
      // Rated products first, best first; the unrated follow (in id order among themselves).
      expect(listed.slice(0, 2)).toEqual(expected.slice(0, 2));
      expect(new Set(listed.slice(2))).toEqual(new Set(expected.slice(2)));
    } else if (sort === "PRICE_ASC" || sort === "PRICE_DESC") {
      // Two products cost 59.00; their order between them is by id.
      expect(listed.map((name) => (name === "Gooseneck Kettle" ? "Coffee Grinder" : name))).toEqual(
        expected.map((name) => (name === "Gooseneck Kettle" ? "Coffee Grinder" : name)),
      );
    } else {
      expect(listed).toEqual(expected);
    }
  });

  it("filters by category including sub-categories, by price range, and by availability", async () => {
    expect(new Set(await names({ filter: { categoryId: categories.headphones } }))).toEqual(
      new Set(["Studio Headphones", "Wireless Earbuds"]),
    );
    expect(new Set(await names({ filter: { categoryId: categories.audio } }))).toEqual(
      new Set(["Studio Headphones", "Wireless Earbuds", "Bookshelf Speaker"]),
    );
    expect(new Set(await names({ filter: { minPrice: "59", maxPrice: "89.50" } }))).toEqual(
      new Set(["Coffee Grinder", "Gooseneck Kettle", "Wireless Earbuds"]),
    );
    expect(await names({ filter: { inStock: false } })).toEqual(["Bookshelf Speaker"]);
    expect(await names({ filter: { inStock: true, categoryId: categories.audio }, sort: "NAME" })).toEqual([
      "Studio Headphones",
      "Wireless Earbuds",
    ]);
  });

  it("searches names and descriptions with ranking, and tolerates typos", async () => {
    // A name match outranks a description match.
    expect(await names({ filter: { search: "headphones" } })).toEqual(["Studio Headphones", "Wireless Earbuds"]);
    expect(await names({ filter: { search: "hedphones" } })).toEqual(["Studio Headphones"]);
    expect(await names({ filter: { search: "burr espresso" } })).toEqual(["Coffee Grinder"]);
    expect(await names({ filter: { search: "no such thing at all" } })).toEqual([]);
  });

  it("pages through with cursors, without repeating or skipping a product", async () => {
    for (const sort of ["NEWEST", "PRICE_ASC", "PRICE_DESC", "NAME", "RATING"]) {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page: ProductsPage = await graphqlData<ProductsPage>(url, productsQuery, {
          variables: { first: 2, after, sort },
        });
        expect(page.products.totalCount).toBe(5);
        seen.push(...page.products.edges.map((edge) => edge.node.id));
        after = page.products.pageInfo.hasNextPage ? page.products.pageInfo.endCursor : null;
        pages += 1;
      } while (after);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(5);
      expect(seen).toEqual(
        (await graphqlData<ProductsPage>(url, productsQuery, { variables: { first: 100, sort } })).products.edges.map(
          (edge) => edge.node.id,
        ),
      );
    }
  });

  it("shows a product with its images, rating, reviews and their authors, and public stock", async () => {
    const { product } = await graphqlData(
      url,
      `query($id: ID!) { product(id: $id) {
        id name description archived price { amount currency } category { name slug } images { url alt }
        rating { average count } reviews(first: 5) { totalCount edges { node { rating title author { id name } } } }
        stock { available inStock lowStock } } }`,
      { variables: { id: ids.kettle } },
    );
    expect(product).toMatchObject({
      name: "Gooseneck Kettle",
      archived: false,
      price: { amount: "59.00", currency: "USD" },
      category: { name: "Kitchen" },
      images: [{ url: expect.stringMatching(/^https:\/\/images\.example\.com\//), alt: "Gooseneck Kettle" }],
      rating: { average: 4.5, count: 2 },
      reviews: { totalCount: 2 },
      stock: { available: 8, inStock: true, lowStock: false },
    });
    expect(product.reviews.edges.map((edge: { node: { author: { name: string } } }) => edge.node.author.name)).toEqual([
      "Test Customer",
      "Test Customer",
    ]);
  });

  it.each([
    [{ first: 1000 }, "first"],
    [{ first: 0 }, "first"],
    [{ after: "garbage" }, "after"],
    [{ filter: { minPrice: "1.234" } }, "filter.minPrice"],
    [{ filter: { maxPrice: "-5" } }, "filter.maxPrice"],
    [{ filter: { minPrice: "10", maxPrice: "5" } }, "filter.minPrice"],
    [{ filter: { categoryId: "not-an-id" } }, "filter.categoryId"],
  ])("answers %j with BAD_USER_INPUT naming the field", async (variables, field) => {
    const result = await graphql(url, productsQuery, { variables });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
  });

  it("refuses a cursor from another sort order", async () => {
    const page = await graphqlData<ProductsPage>(url, productsQuery, { variables: { first: 2, sort: "NAME" } });
    const result = await graphql(url, productsQuery, {
      variables: { first: 2, sort: "PRICE_ASC", after: page.products.pageInfo.endCursor },
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });
});
