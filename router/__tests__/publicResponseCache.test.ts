import { CatalogBuilder } from "../../test/support/catalogBuilder";
import { graphqlData } from "../../test/support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../test/support/identity";
import { startServices, type TestServices } from "../../test/support/testServices";

interface Answer {
  json(): Promise<any>;
  text(): Promise<string>;
  status: number;
  headers: Headers;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

const productQuery = `query ProductName($id: ID!) { product(id: $id) { id name price { amount currency } stock { available } } }`;
const rename = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id name } }`;

describe("the router's cache of public catalog answers", () => {
  let services: TestServices<"products" | "inventory">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory"], {
      settings: { router: { PUBLIC_RESPONSE_CACHE_SECONDS: "60" } },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
  });

  afterAll(() => services?.cleanUp());

  /** Renames the product behind the cache's back, so a cached answer shows the old name. */
  async function renameTo(id: string, name: string) {
    await graphqlData(url, rename, { token: admin.accessToken, variables: { id, input: { name } } });
  }

  it("serves an anonymous catalog query again without asking the subgraphs, until told no-cache", async () => {
    const product = await build.product({ name: "Cached Kettle", price: "30.00", stock: 4 });
    const first = await post(url, { query: productQuery, variables: { id: product.id } });
    expect(first.headers.get("x-response-cache")).toBeNull();
    expect((await first.json()).data.product).toMatchObject({ name: "Cached Kettle", stock: { available: 4 } });

    await renameTo(product.id, "Renamed Kettle");
    const again = await post(url, { query: productQuery, variables: { id: product.id } });
    expect(again.headers.get("x-response-cache")).toBe("hit");
    expect((await again.json()).data.product.name).toBe("Cached Kettle");

    // Other variables are another answer; no-cache asks the subgraphs and keeps the fresh answer.
    const other = await build.product({ name: "Other Kettle", price: "31.00" });
    expect(
      (await (await post(url, { query: productQuery, variables: { id: other.id } })).json()).data.product.name,
    ).toBe("Other Kettle");
    const fresh = await post(
      url,
      { query: productQuery, variables: { id: product.id } },
      { "cache-control": "no-cache" },
    );
    expect(fresh.headers.get("x-response-cache")).toBeNull();
    expect((await fresh.json()).data.product.name).toBe("Renamed Kettle");
    const kept = await post(url, { query: productQuery, variables: { id: product.id } });
    expect(kept.headers.get("x-response-cache")).toBe("hit");
    expect((await kept.json()).data.product.name).toBe("Renamed Kettle");
  });

  it("serves and keeps anonymous catalog queries sent over GET as well", async () => {
    const product = await build.product({ name: "Gotten Jug", price: "9.00", stock: 2 });
    const get = (headers: Record<string, string> = {}): Promise<Answer> =>
      fetch(
        `${url}?${new URLSearchParams({ query: productQuery, operationName: "ProductName", variables: JSON.stringify({ id: product.id }) })}`,
        { headers },
      );
    const first = await get();
    expect(first.headers.get("x-response-cache")).toBeNull();
    expect((await first.json()).data.product.name).toBe("Gotten Jug");

    await renameTo(product.id, "Renamed Jug");
    const again = await get();
    expect(again.headers.get("x-response-cache")).toBe("hit");
    expect((await again.json()).data.product.name).toBe("Gotten Jug");
    // The same query over POST is the same answer.
    const posted = await post(url, {
      query: productQuery,
      operationName: "ProductName",
      variables: { id: product.id },
    });
    expect(posted.headers.get("x-response-cache")).toBe("hit");
    const fresh = await get({ "cache-control": "no-cache" });
    expect(fresh.headers.get("x-response-cache")).toBeNull();
    expect((await fresh.json()).data.product.name).toBe("Renamed Jug");
    // A browser asking for the page still gets Sandbox.
    const page = await get({ accept: "text/html" });
    expect(page.status).toBe(200);
    expect(page.headers.get("x-response-cache")).toBeNull();
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/embeddable-sandbox/);
  });

  it("shares catalog answers between visitors and customers, never with admins", async () => {
    const customer = await registerCustomer(url);
    const product = await build.product({ name: "Shared Teapot", price: "12.00" });
    const asCustomer = { authorization: `Bearer ${customer.accessToken}` };
    const asAdmin = { authorization: `Bearer ${admin.accessToken}` };
    const ask = (headers: Record<string, string> = {}) =>
      post(url, { query: productQuery, variables: { id: product.id } }, headers);
    expect((await (await ask(asCustomer)).json()).data.product.name).toBe("Shared Teapot");
    await renameTo(product.id, "Renamed Teapot");
    // The customer's answer was kept, and is the anonymous visitor's answer too.
    const again = await ask(asCustomer);
    expect(again.headers.get("x-response-cache")).toBe("hit");
    expect((await again.json()).data.product.name).toBe("Shared Teapot");
    const anonymous = await ask();
    expect(anonymous.headers.get("x-response-cache")).toBe("hit");
    expect((await anonymous.json()).data.product.name).toBe("Shared Teapot");
    // An admin sees more than a customer (archived products): always answered fresh, never kept.
    const forAdmin = await ask(asAdmin);
    expect(forAdmin.headers.get("x-response-cache")).toBeNull();
    expect((await forAdmin.json()).data.product.name).toBe("Renamed Teapot");
    expect((await (await ask()).json()).data.product.name).toBe("Shared Teapot");
  });

  it("never keeps or serves a customer's answer that selects something personal", async () => {
    const author = await registerCustomer(url);
    const other = await registerCustomer(url);
    const product = await build.product({ name: "Reviewed Lamp", price: "40.00" });
    await graphqlData(url, `mutation($input: AddReviewInput!) { addReview(input: $input) { id } }`, {
      token: author.accessToken,
      variables: { input: { productId: product.id, rating: 5, title: "Bright" } },
    });
    const withEmails = `query($id: ID!) { product(id: $id) { name reviews { edges { node { title author { id name email } } } } } }`;
    const mine = await (
      await post(
        url,
        { query: withEmails, variables: { id: product.id } },
        { authorization: `Bearer ${author.accessToken}` },
      )
    ).json();
    expect(mine.errors).toBeUndefined();
    expect(mine.data.product.reviews.edges[0].node.author.email).toBe(author.user.email);
    const theirs = await post(
      url,
      { query: withEmails, variables: { id: product.id } },
      { authorization: `Bearer ${other.accessToken}` },
    );
    expect(theirs.headers.get("x-response-cache")).toBeNull();
    const theirBody = await theirs.json();
    expect(JSON.stringify(theirBody)).not.toContain(author.user.email);
    const anonymous = await post(url, { query: withEmails, variables: { id: product.id } });
    expect(anonymous.headers.get("x-response-cache")).toBeNull();
    expect(JSON.stringify(await anonymous.json())).not.toContain(author.user.email);
    // The author's name is the same for everyone: that answer is shared.
    const withNames = `query($id: ID!) { product(id: $id) { name reviews { edges { node { title author { id name } } } } } }`;
    await post(
      url,
      { query: withNames, variables: { id: product.id } },
      { authorization: `Bearer ${author.accessToken}` },
    );
    const shared = await post(
      url,
      { query: withNames, variables: { id: product.id } },
      { authorization: `Bearer ${other.accessToken}` },
    );
    expect(shared.headers.get("x-response-cache")).toBe("hit");
    expect((await shared.json()).data.product.reviews.edges[0].node.author.name).toBe(author.user.name);
  });

  it("keeps no answer with errors, such as a back-office field asked for anonymously", async () => {
    const product = await build.product({ name: "Plain Mug", price: "8.00" });
    const backOffice = `query($id: ID!) { product(id: $id) { name stock { onHand } } }`;
    const refused = await (await post(url, { query: backOffice, variables: { id: product.id } })).json();
    expect(refused.data.product.name).toBe("Plain Mug");
    expect(refused.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    await renameTo(product.id, "Renamed Mug");
    const again = await post(url, { query: backOffice, variables: { id: product.id } });
    expect(again.headers.get("x-response-cache")).toBeNull();
    expect((await again.json()).data.product.name).toBe("Renamed Mug");
  });
});
