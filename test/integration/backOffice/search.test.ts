import { randomUUID } from "node:crypto";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const customerSearch = `query CustomerSearch($query: String!, $first: Int, $after: String) {
  customerSearch(query: $query, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id email name } } } }`;
const orderSearch = `query OrderSearch($filter: OrderSearchFilter!, $first: Int, $after: String) {
  orderSearch(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id number status total { amount } } } } }`;
const variantSearch = `query ProductVariantSearch($sku: String!, $first: Int, $after: String) {
  productVariantSearch(sku: $sku, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id sku product { id } } } } }`;

const statuses = ["PENDING", "AWAITING_PAYMENT", "CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED", "REFUNDED"];

/**
 * Back-office search through the router, checked against SQL run on the same rows: customers by
 * part of an email or name, orders by statuses, dates and totals (and by email and number),
 * variants by part of their SKU; every page in turn, no row twice or missing.
 */
describe("back-office search", () => {
  let services: TestServices<"products" | "inventory" | "orders">;
  let url: string;
  let admin: Session;
  let customer: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders"]);
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url, { name: "Searching Customer" });
    build = new CatalogBuilder(url, admin.accessToken);

    // 300 accounts straight in the users database (hashing 300 passwords would only slow the test).
    const names = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"];
    await services.users.runtime.db.$executeRawUnsafe(
      `INSERT INTO users (id, email, name, roles, created_at, updated_at)
       SELECT gen_random_uuid(), 'shopper' || i || '@' || (ARRAY['example.com','mail.test','lovelace.org'])[1 + i % 3],
              (ARRAY[${names.map((name) => `'${name}'`).join(",")}])[1 + i % 5] || ' ' || i,
              ARRAY['CUSTOMER']::"Role"[], now() - make_interval(mins => i % 97), now()
         FROM generate_series(1, 300) AS i`,
    );
    // 400 orders straight in the orders database, across statuses, three months and totals. Their
    // payment windows stay open: the overdue-payment worker would otherwise cancel the waiting
    // ones while the test pages through them (a page's count then changed: 70 → 93).
    await services.orders.runtime.db.$executeRawUnsafe(
      `INSERT INTO orders (id, number, customer_id, status, currency, subtotal_minor, total_minor, shipping_address, created_at, updated_at, payment_deadline)
       SELECT gen_random_uuid(), 'S' || lpad(i::text, 6, '0'), $1::uuid,
              (ARRAY[${statuses.map((status) => `'${status}'`).join(",")}])[1 + i % 7]::"OrderStatus", 'USD',
              (i * 137) % 20000, (i * 137) % 20000, '{"line1":"1 Road","city":"Town","postalCode":"1","country":"US"}'::jsonb,
              timestamptz '2026-01-01' + make_interval(hours => i * 5), now(), now() + interval '1 day'
         FROM generate_series(1, 400) AS i`,
      customer.user.id,
    );
  }, 400_000);

  afterAll(() => services?.cleanUp());

  /** Every page of a search, `first` at a time, as the ids in order; also checks totalCount on each page. */
  async function allPages(query: string, field: string, variables: Record<string, unknown>, first: number) {
    const ids: string[] = [];
    let after: string | null = null;
    let total = -1;
    do {
      const data: Record<string, any> = await graphqlData(url, query, {
        token: admin.accessToken,
        variables: { ...variables, first, after },
      });
      const page = data[field];
      if (total === -1) total = page.totalCount;
      expect(page.totalCount).toBe(total);
      ids.push(...page.edges.map((edge: { node: { id: string } }) => edge.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(ids).toHaveLength(total);
    return ids;
  }

  it.each([["lovelace"], ["LOVE"], ["hopper 1"], ["@mail.test"], ["per2"]])(
    "finds customers whose email or name contains %j, as SQL does, page by page",
    async (text) => {
      const found = await allPages(customerSearch, "customerSearch", { query: text }, 7);
      const expected = await services.users.runtime.db.$queryRawUnsafe<Array<{ id: string }>>(
        `SELECT id::text AS id FROM users WHERE lower(email) LIKE '%' || lower($1) || '%' OR lower(name) LIKE '%' || lower($1) || '%'
          ORDER BY created_at DESC, id DESC`,
        text,
      );
      expect(expected.length).toBeGreaterThan(0);
      expect(found).toEqual(expected.map((row) => row.id));
    },
  );

  it("finds orders by statuses, a range of dates and a range of totals, as SQL does, page by page", async () => {
    const filter = {
      statuses: ["CONFIRMED", "SHIPPED", "CANCELLED"],
      placedFrom: "2026-01-10T00:00:00.000Z",
      placedBefore: "2026-03-01T00:00:00.000Z",
      totalAtLeast: "20.00",
      totalAtMost: "150.50",
    };
    const found = await allPages(orderSearch, "orderSearch", { filter }, 6);
    const expected = await services.orders.runtime.db.$queryRawUnsafe<Array<{ id: string }>>(
      `SELECT id::text AS id FROM orders
        WHERE status::text = ANY($1::text[]) AND created_at >= $2::timestamptz AND created_at < $3::timestamptz
          AND total_minor BETWEEN 2000 AND 15050
        ORDER BY created_at DESC, id DESC`,
      filter.statuses,
      filter.placedFrom,
      filter.placedBefore,
    );
    expect(expected.length).toBeGreaterThan(6);
    expect(found).toEqual(expected.map((row) => row.id));
  });

  it("finds orders by number and by the customer's email", async () => {
    const { orderSearch: byNumber } = await graphqlData(url, orderSearch, {
      token: admin.accessToken,
      variables: { filter: { number: "s000042" } },
    });
    expect(byNumber.edges.map((edge: any) => edge.node.number)).toEqual(["S000042"]);
    // The email reaches orders through the users service's events.
    const byEmail = await waitFor(async () => {
      const { orderSearch: page } = await graphqlData(url, orderSearch, {
        token: admin.accessToken,
        variables: { filter: { email: customer.user.email.toUpperCase(), statuses: ["DELIVERED"] }, first: 100 },
      });
      return page.totalCount > 0 && page;
    }, "orders found by the customer's email");
    const [delivered] = await services.orders.runtime.db.$queryRawUnsafe<Array<{ count: bigint }>>(
      "SELECT count(*) AS count FROM orders WHERE customer_id = $1::uuid AND status = 'DELIVERED'",
      customer.user.id,
    );
    expect(byEmail.totalCount).toBe(Number(delivered!.count));
    const { orderSearch: nobody } = await graphqlData(url, orderSearch, {
      token: admin.accessToken,
      variables: { filter: { email: "nobody@example.com" } },
    });
    expect(nobody.totalCount).toBe(0);
  });

  it("finds a variant by part of its SKU, not only a product's default one", async () => {
    const stamp = randomUUID().slice(0, 6).toUpperCase();
    const shirt = await build.productWithVariants({
      name: "Search Tee",
      options: [{ name: "Size", values: ["S", "M", "L"] }],
      variants: [
        { options: { Size: "S" }, price: "20.00", sku: `TEE-${stamp}-S` },
        { options: { Size: "M" }, price: "20.00", sku: `TEE-${stamp}-M` },
        { options: { Size: "L" }, price: "22.00", sku: `TEE-${stamp}-LARGE` },
      ],
    });
    const { productVariantSearch: large } = await graphqlData(url, variantSearch, {
      token: admin.accessToken,
      variables: { sku: `${stamp.toLowerCase()}-lar` },
    });
    expect(large.edges.map((edge: any) => edge.node)).toEqual([
      { id: shirt.variants[2]!.id, sku: `TEE-${stamp}-LARGE`, product: { id: shirt.id } },
    ]);
    const found = await allPages(variantSearch, "productVariantSearch", { sku: `tee-${stamp}` }, 2);
    const expected = await services.products.runtime.db.$queryRawUnsafe<Array<{ id: string }>>(
      "SELECT id::text AS id FROM product_variants WHERE sku ILIKE $1 ORDER BY sku",
      `%TEE-${stamp}%`,
    );
    expect(found).toEqual(expected.map((row) => row.id));
    expect(found).toHaveLength(3);
  });

  it("is for staff only, and checks what it is given", async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      [customerSearch, { query: "lovelace" }],
      [orderSearch, { filter: { statuses: ["PENDING"] } }],
      [variantSearch, { sku: "TEE" }],
    ];
    for (const [query, variables] of cases) {
      const denied = await graphql(url, query, { token: customer.accessToken, variables });
      expect(denied.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN" });
    }
    const short = await graphql(url, customerSearch, { token: admin.accessToken, variables: { query: "ab" } });
    expect(short.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "query" });
    const empty = await graphql(url, orderSearch, { token: admin.accessToken, variables: { filter: {} } });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter" });
    const backwards = await graphql(url, orderSearch, {
      token: admin.accessToken,
      variables: { filter: { totalAtLeast: "10.00", totalAtMost: "5.00" } },
    });
    expect(backwards.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.totalAtMost" });
    const big = await graphql(url, variantSearch, { token: admin.accessToken, variables: { sku: "TEE", first: 500 } });
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
  });
});
