import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";

const productView = `
  query ProductView($slug: String!, $pick: [SelectedOptionInput!]!) {
    product(slug: $slug) {
      id name sku price { amount } status
      options { name values }
      priceRange { min { amount currency } max { amount currency } }
      defaultVariant { id title }
      variants(first: 10) { totalCount edges { node { id sku title selectedOptions { name value } price { amount } compareAtPrice { amount } archived } } }
      variantBySelectedOptions(selectedOptions: $pick) { id title price { amount } stock { available inStock } }
    }
  }
`;
const setOptions = `mutation($id: ID!, $options: [ProductOptionInput!]!) { productOptionsSet(productId: $id, options: $options) { id options { name values } variants(first: 20) { edges { node { title selectedOptions { name value } } } } } }`;
const createVariants = `mutation($id: ID!, $variants: [ProductVariantCreateInput!]!) { productVariantsCreate(productId: $id, variants: $variants) { id title } }`;
const updateVariant = `mutation($id: ID!, $input: ProductVariantUpdateInput!) { productVariantUpdate(id: $id, input: $input) { id sku title price { amount } compareAtPrice { amount } weight barcode } }`;
const archiveVariant = `mutation($id: ID!) { productVariantArchive(id: $id) { id archived } }`;
const updateProduct = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id sku price { amount } status } }`;

describe("products with options and variants, through the router", () => {
  let services: TestServices<"products" | "inventory">;
  let url: string;
  let admin: Session;
  let customer: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory"]);
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url);
    build = new CatalogBuilder(url, admin.accessToken);
  });

  afterAll(() => services?.cleanUp());

  const errorOf = async (query: string, variables: Record<string, unknown>, token = admin.accessToken) =>
    (await graphql(url, query, { token, variables })).errors?.[0]?.extensions;

  const tee = (
    variants: Array<{ options: Record<string, string>; price: string; compareAtPrice?: string; stock?: number }>,
  ) =>
    build.productWithVariants({
      name: "Crew Tee",
      options: [
        { name: "Size", values: ["S", "M", "L"] },
        { name: "Colour", values: ["Red", "Blue"] },
      ],
      variants,
    });

  it("shows a product's options in the merchant's order, its price range, and picks a variant by its options", async () => {
    const shirt = await tee([
      { options: { Size: "S", Colour: "Red" }, price: "20.00" },
      { options: { Size: "M", Colour: "Red" }, price: "20.00" },
      { options: { Size: "M", Colour: "Blue" }, price: "22.00", compareAtPrice: "25.00", stock: 4 },
      { options: { Size: "L", Colour: "Blue" }, price: "24.00" },
    ]);
    const { product } = await graphqlData(url, productView, {
      token: customer.accessToken,
      variables: {
        slug: shirt.slug,
        pick: [
          { name: "colour", value: "blue" },
          { name: "SIZE", value: "m" },
        ],
      },
    });
    expect(product).toMatchObject({
      id: shirt.id,
      options: [
        { name: "Size", values: ["S", "M", "L"] },
        { name: "Colour", values: ["Red", "Blue"] },
      ],
      priceRange: { min: { amount: "20.00", currency: "USD" }, max: { amount: "24.00", currency: "USD" } },
      defaultVariant: { id: shirt.variants[0]!.id, title: "S / Red" },
      // The deprecated product fields answer for the default variant and the lowest price.
      sku: shirt.variants[0]!.sku,
      price: { amount: "20.00" },
      status: "ACTIVE",
      variantBySelectedOptions: {
        id: shirt.variants[2]!.id,
        title: "M / Blue",
        price: { amount: "22.00" },
        stock: { available: 4, inStock: true },
      },
    });
    expect(product.variants.totalCount).toBe(4);
    expect(product.variants.edges.map((edge: { node: { title: string } }) => edge.node.title)).toEqual([
      "S / Red",
      "M / Red",
      "M / Blue",
      "L / Blue",
    ]);
    expect(product.variants.edges[2].node).toMatchObject({
      selectedOptions: [
        { name: "Size", value: "M" },
        { name: "Colour", value: "Blue" },
      ],
      compareAtPrice: { amount: "25.00" },
    });
    // No variant stands for L / Red, and half a choice is no choice.
    for (const pick of [
      [
        { name: "Size", value: "L" },
        { name: "Colour", value: "Red" },
      ],
      [{ name: "Size", value: "M" }],
    ]) {
      const { product: none } = await graphqlData(url, productView, { variables: { slug: shirt.slug, pick } });
      expect(none.variantBySelectedOptions).toBeNull();
    }
    // Variants page with cursors in the merchant's order.
    const page = async (after: string | null) =>
      (
        await graphqlData(
          url,
          `query($id: ID!, $after: String) { product(id: $id) { variants(first: 3, after: $after) { pageInfo { hasNextPage endCursor } edges { node { title } } } } }`,
          { variables: { id: shirt.id, after } },
        )
      ).product.variants;
    const first = await page(null);
    const second = await page(first.pageInfo.endCursor);
    expect([...first.edges, ...second.edges].map((edge: { node: { title: string } }) => edge.node.title)).toEqual([
      "S / Red",
      "M / Red",
      "M / Blue",
      "L / Blue",
    ]);
    expect([first.pageInfo.hasNextPage, second.pageInfo.hasNextPage]).toEqual([true, false]);
  });

  it("archives a variant alone, hides it from customers, and never archives a product's last variant for sale", async () => {
    const shirt = await tee([
      { options: { Size: "S", Colour: "Red" }, price: "18.00" },
      { options: { Size: "L", Colour: "Blue" }, price: "30.00" },
    ]);
    const [small, large] = shirt.variants;
    expect(
      (await graphqlData(url, archiveVariant, { token: admin.accessToken, variables: { id: large!.id } }))
        .productVariantArchive,
    ).toEqual({
      id: large!.id,
      archived: true,
    });
    const view = (token: string) =>
      graphqlData(url, productView, {
        token,
        variables: {
          slug: shirt.slug,
          pick: [
            { name: "Size", value: "L" },
            { name: "Colour", value: "Blue" },
          ],
        },
      });
    const forCustomer = (await view(customer.accessToken)).product;
    expect(forCustomer.variants.totalCount).toBe(1);
    expect(forCustomer.variantBySelectedOptions).toBeNull();
    expect(forCustomer.priceRange).toEqual({
      min: { amount: "18.00", currency: "USD" },
      max: { amount: "18.00", currency: "USD" },
    });
    expect((await view(admin.accessToken)).product.variants.totalCount).toBe(2);
    expect(
      (
        await graphql(
          url,
          `
            query ($id: ID!) {
              productVariant(id: $id) {
                id
              }
            }
          `,
          { variables: { id: large!.id } },
        )
      ).errors?.[0]?.extensions?.code,
    ).toBe("NOT_FOUND");
    expect(await errorOf(archiveVariant, { id: small!.id })).toMatchObject({ code: "CONFLICT" });
    // Its values are free again: a new variant may stand for them.
    const { productVariantsCreate } = await graphqlData(url, createVariants, {
      token: admin.accessToken,
      variables: {
        id: shirt.id,
        variants: [
          {
            sku: `${small!.sku}-NEW`,
            price: "31.00",
            selectedOptions: [
              { name: "Size", value: "L" },
              { name: "Colour", value: "Blue" },
            ],
          },
        ],
      },
    });
    expect(productVariantsCreate).toEqual([{ id: expect.any(String), title: "L / Blue" }]);
  });

  it("refuses variants and options that would be ambiguous or invalid, naming the field", async () => {
    const shirt = await tee([
      { options: { Size: "S", Colour: "Red" }, price: "10.00" },
      { options: { Size: "M", Colour: "Red" }, price: "10.00" },
    ]);
    const red = (size: string) => [
      { name: "Size", value: size },
      { name: "Colour", value: "Red" },
    ];
    const create = (variants: unknown[]) => errorOf(createVariants, { id: shirt.id, variants });
    expect(await create([{ sku: "DUP-COMBO", price: "1.00", selectedOptions: red("S") }])).toMatchObject({
      code: "CONFLICT",
      field: "variants.0.selectedOptions",
    });
    expect(
      await create([
        { sku: "TWICE-A", price: "1.00", selectedOptions: red("L") },
        { sku: "TWICE-B", price: "1.00", selectedOptions: red("L") },
      ]),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "variants.1.selectedOptions" });
    expect(await create([{ sku: "XXL-1", price: "1.00", selectedOptions: red("XXL") }])).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "variants.0.selectedOptions",
    });
    expect(
      await create([{ sku: "HALF-1", price: "1.00", selectedOptions: [{ name: "Size", value: "L" }] }]),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "variants.0.selectedOptions" });
    expect(await create([{ sku: shirt.variants[1]!.sku, price: "1.00", selectedOptions: red("L") }])).toMatchObject({
      code: "CONFLICT",
      field: "variants.0.sku",
    });
    expect(await create([{ sku: "PRICEY", price: "1.999", selectedOptions: red("L") }])).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "variants.0.price",
    });
    // A value a variant for sale stands for cannot leave the options.
    expect(
      await errorOf(setOptions, {
        id: shirt.id,
        options: [
          { name: "Size", values: ["S", "L"] },
          { name: "Colour", values: ["Red"] },
        ],
      }),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "options.0.values" });
    // Dropping an option both variants differ by would make them the same.
    expect(await errorOf(setOptions, { id: shirt.id, options: [{ name: "Colour", values: ["Red"] }] })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "options",
    });
    // A product with options has no single SKU or price to change.
    expect(await errorOf(updateProduct, { id: shirt.id, input: { price: "5.00" } })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "price",
    });
    expect(await errorOf(updateProduct, { id: shirt.id, input: { sku: "NOPE" } })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "sku",
    });
    expect(
      await errorOf(updateVariant, { id: shirt.variants[1]!.id, input: { selectedOptions: red("S") } }),
    ).toMatchObject({ code: "CONFLICT", field: "selectedOptions" });
    expect(await errorOf(updateVariant, { id: shirt.variants[1]!.id, input: { weight: -1 } })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "weight",
    });
    expect(
      await errorOf(updateVariant, { id: "00000000-0000-4000-8000-000000000000", input: { price: "1.00" } }),
    ).toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("changes a variant's price, struck-through price, weight and barcode, and adds an option with its first value", async () => {
    const shirt = await tee([
      { options: { Size: "S", Colour: "Red" }, price: "10.00" },
      { options: { Size: "M", Colour: "Red" }, price: "12.00" },
    ]);
    const { productVariantUpdate } = await graphqlData(url, updateVariant, {
      token: admin.accessToken,
      variables: {
        id: shirt.variants[0]!.id,
        input: { price: "9.50", compareAtPrice: "12.00", weight: 180, barcode: "4006381333931" },
      },
    });
    expect(productVariantUpdate).toMatchObject({
      price: { amount: "9.50" },
      compareAtPrice: { amount: "12.00" },
      weight: 180,
      barcode: "4006381333931",
    });
    const { productVariantUpdate: cleared } = await graphqlData(url, updateVariant, {
      token: admin.accessToken,
      variables: { id: shirt.variants[0]!.id, input: { compareAtPrice: null, barcode: null } },
    });
    expect(cleared).toMatchObject({ compareAtPrice: null, barcode: null, weight: 180 });
    const { productOptionsSet } = await graphqlData(url, setOptions, {
      token: admin.accessToken,
      variables: {
        id: shirt.id,
        options: [
          { name: "Fit", values: ["Regular", "Slim"] },
          { name: "Size", values: ["XS", "S", "M", "L"] },
          { name: "Colour", values: ["Red", "Blue"] },
        ],
      },
    });
    expect(productOptionsSet.options.map((option: { name: string }) => option.name)).toEqual(["Fit", "Size", "Colour"]);
    expect(productOptionsSet.variants.edges.map((edge: { node: { title: string } }) => edge.node.title)).toEqual([
      "Regular / S / Red",
      "Regular / M / Red",
    ]);
    const { product } = await graphqlData(
      url,
      `query($id: ID!) { product(id: $id) { priceRange { min { amount } max { amount } } } }`,
      {
        variables: { id: shirt.id },
      },
    );
    expect(product.priceRange).toEqual({ min: { amount: "9.50" }, max: { amount: "12.00" } });
  });

  it("keeps a product without options simple: one default variant, changed through updateProduct", async () => {
    const mug = await build.product({ name: "Plain Mug", price: "7.00" });
    await graphqlData(url, updateProduct, {
      token: admin.accessToken,
      variables: { id: mug.id, input: { price: "7.50", sku: "plain-mug-2" } },
    });
    const { product } = await graphqlData(
      url,
      `query($id: ID!) { product(id: $id) { sku price { amount } options { name } variants { totalCount edges { node { id sku title selectedOptions { name } price { amount } } } } } }`,
      { variables: { id: mug.id } },
    );
    expect(product).toEqual({
      sku: "PLAIN-MUG-2",
      price: { amount: "7.50" },
      options: [],
      variants: {
        totalCount: 1,
        edges: [
          {
            node: {
              id: mug.defaultVariant.id,
              sku: "PLAIN-MUG-2",
              title: "Default Title",
              selectedOptions: [],
              price: { amount: "7.50" },
            },
          },
        ],
      },
    });
    // Creating variants needs options first.
    expect(
      await errorOf(createVariants, { id: mug.id, variants: [{ sku: "MUG-B", price: "1.00", selectedOptions: [] }] }),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "variants.0.selectedOptions" });
  });

  it("shows drafts to the back office only, by id, by slug and in the list", async () => {
    const draft = await build.product({ name: "Secret Lamp", price: "40.00", status: "DRAFT" });
    const byId = `query($id: ID) { product(id: $id) { id status archived } }`;
    expect(await errorOf(byId, { id: draft.id }, customer.accessToken)).toMatchObject({ code: "NOT_FOUND" });
    expect(
      await errorOf(`query($slug: String) { product(slug: $slug) { id } }`, { slug: draft.slug }, customer.accessToken),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect((await graphqlData(url, byId, { token: admin.accessToken, variables: { id: draft.id } })).product).toEqual({
      id: draft.id,
      status: "DRAFT",
      archived: false,
    });
    const listed = async (token: string, filter: Record<string, unknown> = {}) =>
      (
        await graphqlData(
          url,
          `query($filter: ProductFilter) { products(first: 100, filter: $filter) { edges { node { id } } } }`,
          {
            token,
            variables: { filter },
          },
        )
      ).products.edges.map((edge: { node: { id: string } }) => edge.node.id);
    expect(await listed(customer.accessToken)).not.toContain(draft.id);
    expect(await listed(customer.accessToken, { status: "DRAFT" })).toEqual([]);
    expect(await listed(admin.accessToken, { status: "DRAFT" })).toEqual([draft.id]);
    await graphqlData(url, updateProduct, {
      token: admin.accessToken,
      variables: { id: draft.id, input: { status: "ACTIVE" } },
    });
    expect(
      (
        await graphqlData(url, `query($slug: String) { product(slug: $slug) { id } }`, {
          token: customer.accessToken,
          variables: { slug: draft.slug },
        })
      ).product,
    ).toEqual({ id: draft.id });
    expect(await errorOf(`query { product { id } }`, {})).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(
      await errorOf(
        byId.replace("$id: ID)", "$id: ID, $slug: String)").replace("(id: $id)", "(id: $id, slug: $slug)"),
        { id: draft.id, slug: draft.slug },
      ),
    ).toMatchObject({
      code: "BAD_USER_INPUT",
    });
  });

  it("renames, moves and removes categories, finds them by slug, and never removes one that files products", async () => {
    const home = await build.category("Home");
    const garden = await build.category("Garden");
    const lamps = await build.category("Lamps", home.id);
    const desk = await build.category("Desk Lamps", lamps.id);
    const lamp = await build.product({ name: "Filed Lamp", price: "30.00", categoryId: lamps.id });
    const update = `mutation($id: ID!, $input: CategoryUpdateInput!) { categoryUpdate(id: $id, input: $input) { id name slug parent { id } } }`;
    const { categoryUpdate } = await graphqlData(url, update, {
      token: admin.accessToken,
      variables: { id: lamps.id, input: { name: "Lighting", slug: `lighting-${Date.now()}`, parentId: garden.id } },
    });
    expect(categoryUpdate).toMatchObject({ id: lamps.id, name: "Lighting", parent: { id: garden.id } });
    const { category } = await graphqlData(
      url,
      `query($slug: String) { category(slug: $slug) { id name children { id } } }`,
      {
        variables: { slug: categoryUpdate.slug },
      },
    );
    expect(category).toEqual({ id: lamps.id, name: "Lighting", children: [{ id: desk.id }] });
    // Not below itself, nor below its own sub-category.
    expect(await errorOf(update, { id: lamps.id, input: { parentId: desk.id } })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "parentId",
    });
    expect(await errorOf(update, { id: lamps.id, input: { parentId: lamps.id } })).toMatchObject({ field: "parentId" });
    const remove = `mutation($id: ID!, $to: ID) { categoryDelete(id: $id, moveProductsToCategoryId: $to) }`;
    expect(await errorOf(remove, { id: lamps.id })).toMatchObject({
      code: "CONFLICT",
      field: "moveProductsToCategoryId",
    });
    expect(await errorOf(remove, { id: lamps.id }, customer.accessToken)).toMatchObject({ code: "FORBIDDEN" });
    expect(
      (await graphqlData(url, remove, { token: admin.accessToken, variables: { id: lamps.id, to: home.id } }))
        .categoryDelete,
    ).toBe(true);
    const after = await graphqlData(
      url,
      `query($lamp: ID!, $desk: ID!) { product(id: $lamp) { category { id } } category(id: $desk) { parent { id } } }`,
      { variables: { lamp: lamp.id, desk: desk.id } },
    );
    expect(after).toEqual({ product: { category: { id: home.id } }, category: { parent: { id: garden.id } } });
    expect(await errorOf(`query($id: ID) { category(id: $id) { id } }`, { id: lamps.id })).toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("keeps the back office's catalog operations from customers", async () => {
    const mug = await build.product({ name: "Guarded Mug", price: "5.00" });
    const asCustomer = (query: string, variables: Record<string, unknown>) =>
      errorOf(query, variables, customer.accessToken);
    expect(await asCustomer(setOptions, { id: mug.id, options: [] })).toMatchObject({ code: "FORBIDDEN" });
    expect(await asCustomer(createVariants, { id: mug.id, variants: [] })).toMatchObject({ code: "FORBIDDEN" });
    expect(await asCustomer(updateVariant, { id: mug.defaultVariant.id, input: { price: "0.01" } })).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await asCustomer(archiveVariant, { id: mug.defaultVariant.id })).toMatchObject({ code: "FORBIDDEN" });
  });
});
