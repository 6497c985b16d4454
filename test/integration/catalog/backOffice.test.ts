import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { NatsTap } from "../../support/natsTap";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const createProduct = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id sku name slug price { amount currency } category { id } } }`;
const updateProduct = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id name description price { amount currency } } }`;
const adjustStock = `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { onHand reserved available inStock lowStock } }`;
const stockDetail = `query($id: ID!) { product(id: $id) { id stock { onHand reserved available inStock lowStock lowStockThreshold } } }`;
const addReview = `mutation($input: AddReviewInput!) { addReview(input: $input) { id rating title body author { id name } } }`;

describe("the catalog and stock back office, and reviews, through the router", () => {
  let services: TestServices<"products" | "inventory">;
  let url: string;
  let admin: Session;
  let customer: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory"]);
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url, { name: "Rita Reviewer" });
    build = new CatalogBuilder(url, admin.accessToken);
  });

  afterAll(() => services?.cleanUp());

  const errorOf = async (query: string, variables: Record<string, unknown>, token = admin.accessToken) =>
    (await graphql(url, query, { token, variables })).errors?.[0]?.extensions;

  it("creates, updates and archives a product", async () => {
    const category = await build.category("Tea");
    const { createProduct: created } = await graphqlData(url, createProduct, {
      token: admin.accessToken,
      variables: { input: { sku: "tea-1", name: "Green Tea", price: "4.5", currency: "eur", categoryId: category.id } },
    });
    expect(created).toMatchObject({
      sku: "TEA-1",
      slug: "green-tea",
      price: { amount: "4.50", currency: "EUR" },
      category: { id: category.id },
    });
    const { updateProduct: updated } = await graphqlData(url, updateProduct, {
      token: admin.accessToken,
      variables: {
        id: created.id,
        input: { name: "Sencha Green Tea", description: "Steamed Japanese tea.", price: "5.25" },
      },
    });
    expect(updated).toEqual({
      id: created.id,
      name: "Sencha Green Tea",
      description: "Steamed Japanese tea.",
      price: { amount: "5.25", currency: "EUR" },
    });
    const { archiveProduct } = await graphqlData(
      url,
      `mutation($id: ID!) { archiveProduct(id: $id) { id archived } }`,
      { token: admin.accessToken, variables: { id: created.id } },
    );
    expect(archiveProduct).toEqual({ id: created.id, archived: true });
    expect(
      await errorOf(updateProduct, { id: "00000000-0000-4000-8000-000000000000", input: { name: "x" } }),
    ).toMatchObject({ code: "NOT_FOUND" });
  });

  it.each([
    [{ price: "1.999" }, "price"],
    [{ price: "-1.00" }, "price"],
    [{ sku: "bad sku!" }, "sku"],
    [{ name: "" }, "name"],
    [{ categoryId: "00000000-0000-4000-8000-000000000000" }, "categoryId"],
    [{ images: [{ url: "not a url" }] }, "images.0.url"],
  ])("refuses a product with %j naming the field", async (change, field) => {
    const input = { sku: `BAD-${Date.now()}`, name: "Bad input", price: "1.00", ...change };
    expect(await errorOf(createProduct, { input })).toMatchObject({ code: "BAD_USER_INPUT", field });
  });

  it("answers a duplicate sku or slug with CONFLICT", async () => {
    await graphqlData(url, createProduct, {
      token: admin.accessToken,
      variables: { input: { sku: "DUP-1", name: "Original", slug: "original-dup", price: "1.00" } },
    });
    expect(await errorOf(createProduct, { input: { sku: "dup-1", name: "Copy", price: "1.00" } })).toMatchObject({
      code: "CONFLICT",
      field: "sku",
    });
    expect(
      await errorOf(createProduct, { input: { sku: "DUP-2", name: "Copy", slug: "original-dup", price: "1.00" } }),
    ).toMatchObject({ code: "CONFLICT", field: "slug" });
    const slugClash = await build.category("Dupes");
    expect(
      await errorOf(`mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }`, {
        input: { name: "Again", slug: slugClash.slug },
      }),
    ).toMatchObject({
      code: "CONFLICT",
      field: "slug",
    });
  });

  it("keeps back-office operations and fields away from customers", async () => {
    const product = await build.product({ name: "Guarded", price: "1.00", stock: 2 });
    const asCustomer = (query: string, variables: Record<string, unknown>) =>
      errorOf(query, variables, customer.accessToken);
    expect(await asCustomer(createProduct, { input: { sku: "C-1", name: "Nope", price: "1.00" } })).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await asCustomer(updateProduct, { id: product.id, input: { name: "Nope" } })).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await asCustomer(`mutation($id: ID!) { archiveProduct(id: $id) { id } }`, { id: product.id })).toMatchObject(
      { code: "FORBIDDEN" },
    );
    expect(
      await asCustomer(`mutation { createCategory(input: { name: "N", slug: "n-nope" }) { id } }`, {}),
    ).toMatchObject({ code: "FORBIDDEN" });
    expect(await asCustomer(adjustStock, { input: { productId: product.id, delta: 5, reason: "x" } })).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await asCustomer(stockDetail, { id: product.id })).toMatchObject({ code: "FORBIDDEN" });
    const { product: detail } = await graphqlData(url, stockDetail, {
      token: admin.accessToken,
      variables: { id: product.id },
    });
    expect(detail.stock).toEqual({
      onHand: 2,
      reserved: 0,
      available: 2,
      inStock: true,
      lowStock: true,
      lowStockThreshold: 5,
    });
  });

  it("adjusts stock, keeps every change in the ledger, and refuses to go below zero", async () => {
    const product = await build.product({ name: "Ledgered", price: "3.00" });
    expect(await build.adjustStock(product.id, 10, { reason: "delivery 42", lowStockThreshold: 2 })).toEqual({
      onHand: 10,
      reserved: 0,
      available: 10,
      inStock: true,
      lowStock: false,
    });
    expect(await build.adjustStock(product.id, -4, { reason: "damaged in transit" })).toMatchObject({
      onHand: 6,
      available: 6,
    });
    expect(await errorOf(adjustStock, { input: { productId: product.id, delta: -7, reason: "count" } })).toMatchObject({
      code: "CONFLICT",
      field: "delta",
    });
    const { product: withLedger } = await graphqlData(
      url,
      `query($id: ID!) { product(id: $id) { stockMovements(first: 10) { totalCount edges { node { kind onHandDelta reservedDelta onHandAfter reason actorId } } } } }`,
      { token: admin.accessToken, variables: { id: product.id } },
    );
    expect(withLedger.stockMovements.totalCount).toBe(2);
    expect(withLedger.stockMovements.edges.map((edge: { node: unknown }) => edge.node)).toEqual([
      {
        kind: "ADJUSTMENT",
        onHandDelta: -4,
        reservedDelta: 0,
        onHandAfter: 6,
        reason: "damaged in transit",
        actorId: admin.user.id,
      },
      {
        kind: "ADJUSTMENT",
        onHandDelta: 10,
        reservedDelta: 0,
        onHandAfter: 10,
        reason: "delivery 42",
        actorId: admin.user.id,
      },
    ]);
    // The ledger is append-only: the refused change left nothing behind.
    expect(await services.inventory.runtime.db.stockMovement.count({ where: { productId: product.id } })).toBe(2);
  });

  it.each([
    [{ delta: 1.5 }, "delta"],
    [{ delta: 2_000_000 }, "delta"],
    [{ reason: "  " }, "reason"],
    [{ lowStockThreshold: -1 }, "lowStockThreshold"],
    [{ productId: "nope" }, "productId"],
  ])("refuses a stock adjustment with %j naming the field", async (change, field) => {
    const input = { productId: "00000000-0000-4000-8000-000000000000", delta: 1, reason: "x", ...change };
    expect(await errorOf(adjustStock, { input })).toMatchObject({ code: "BAD_USER_INPUT", field });
  });

  it("answers NOT_FOUND when adjusting the stock of a product that does not exist", async () => {
    expect(
      await errorOf(adjustStock, {
        input: { productId: "00000000-0000-4000-8000-000000000000", delta: 1, reason: "x" },
      }),
    ).toMatchObject({ code: "NOT_FOUND" });
  });

  it("raises one low-stock alert per crossing of the threshold", async () => {
    const tap = await NatsTap.open(`${services.testId}.inventory.stock.low`);
    const product = await build.product({ name: "Alerting", price: "2.00" });
    const alertsFor = () =>
      tap.received.filter((event) => (event as { data: { productId: string } }).data.productId === product.id);
    await build.adjustStock(product.id, 10, { lowStockThreshold: 3 });
    await build.adjustStock(product.id, -7);
    await waitFor(() => alertsFor().length === 1, "the first alert");
    await build.adjustStock(product.id, -1);
    await build.adjustStock(product.id, -1);
    await build.adjustStock(product.id, 8);
    await build.adjustStock(product.id, -9);
    await waitFor(() => alertsFor().length === 2, "the second crossing's alert");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alertsFor().map((event) => (event as { data: unknown }).data)).toEqual([
      // A product without options: its one variant has the product's id.
      { productId: product.id, variantId: product.id, sku: product.sku, name: "Alerting", available: 3, threshold: 3 },
      { productId: product.id, variantId: product.id, sku: product.sku, name: "Alerting", available: 0, threshold: 3 },
    ]);
    await tap.close();
  });

  it("accepts a product createProduct has just returned, before its event reaches inventory", async () => {
    const consumer = services.inventory.runtime.consumers.find((each) =>
      each.name.endsWith("catalog_product_created"),
    )!;
    await consumer.stop();
    try {
      const product = await build.product({ name: "Read Your Writes", price: "9.99" });
      expect(await services.inventory.runtime.db.stockLevel.count({ where: { productId: product.id } })).toBe(0);
      expect(await build.adjustStock(product.id, 4)).toMatchObject({ onHand: 4, available: 4 });
      expect(
        await services.inventory.runtime.db.catalogVariant.findUnique({ where: { variantId: product.id } }),
      ).toMatchObject({ productName: "Read Your Writes" });
    } finally {
      await consumer.start();
    }
  });

  it("takes reviews from signed-in customers: one each, rating 1 to 5, reflected at once", async () => {
    const product = await build.product({ name: "Reviewed", price: "1.00" });
    const { addReview: review } = await graphqlData(url, addReview, {
      token: customer.accessToken,
      variables: { input: { productId: product.id, rating: 4, title: "  Solid  ", body: "Does the job." } },
    });
    expect(review).toMatchObject({
      rating: 4,
      title: "Solid",
      body: "Does the job.",
      author: { id: customer.user.id, name: "Rita Reviewer" },
    });
    expect(
      await errorOf(addReview, { input: { productId: product.id, rating: 5, title: "Again" } }, customer.accessToken),
    ).toMatchObject({ code: "CONFLICT" });
    const other = await registerCustomer(url);
    expect(
      await errorOf(addReview, { input: { productId: product.id, rating: 6, title: "Too good" } }, other.accessToken),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "rating" });
    expect(
      await errorOf(addReview, { input: { productId: product.id, rating: 0, title: "Bad" } }, other.accessToken),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "rating" });
    expect(
      (await graphql(url, addReview, { variables: { input: { productId: product.id, rating: 3, title: "Anon" } } }))
        .errors?.[0]?.extensions?.code,
    ).toBe("UNAUTHENTICATED");
    await graphqlData(url, addReview, {
      token: other.accessToken,
      variables: { input: { productId: product.id, rating: 1, title: "Meh" } },
    });
    const { product: rated } = await graphqlData(
      url,
      `query($id: ID!) { product(id: $id) { rating { average count } } }`,
      { variables: { id: product.id } },
    );
    expect(rated.rating).toEqual({ average: 2.5, count: 2 });
    expect(
      await errorOf(
        addReview,
        { input: { productId: "00000000-0000-4000-8000-000000000000", rating: 3, title: "?" } },
        other.accessToken,
      ),
    ).toMatchObject({ code: "NOT_FOUND" });
  });

  it("keeps the catalog's inStock read model in step with inventory", async () => {
    const product = await build.product({ name: "Stocked Later", price: "1.00" });
    await build.adjustStock(product.id, 2);
    await waitFor(
      async () =>
        (await services.products.runtime.db.variantAvailability.findUnique({ where: { variantId: product.id } }))
          ?.available === 2,
      "the availability read model",
    );
    await build.adjustStock(product.id, -2);
    await waitFor(
      async () =>
        (await services.products.runtime.db.variantAvailability.findUnique({ where: { variantId: product.id } }))
          ?.available === 0,
      "availability back to 0",
    );
  });
});
