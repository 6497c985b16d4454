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
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

const productQuery = `query ProductName($id: ID!) { product(id: $id) { id name price { amount currency } stock { available } } }`;
const rename = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id name } }`;

describe("the router's cache of anonymous catalog answers", () => {
  let services: TestServices<"products" | "inventory">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory"], { settings: { router: { PUBLIC_RESPONSE_CACHE_SECONDS: "60" } } });
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
    expect((await (await post(url, { query: productQuery, variables: { id: other.id } })).json()).data.product.name).toBe("Other Kettle");
    const fresh = await post(url, { query: productQuery, variables: { id: product.id } }, { "cache-control": "no-cache" });
    expect(fresh.headers.get("x-response-cache")).toBeNull();
    expect((await fresh.json()).data.product.name).toBe("Renamed Kettle");
    const kept = await post(url, { query: productQuery, variables: { id: product.id } });
    expect(kept.headers.get("x-response-cache")).toBe("hit");
    expect((await kept.json()).data.product.name).toBe("Renamed Kettle");
  });

  it("serves and keeps anonymous catalog queries sent over GET as well", async () => {
    const product = await build.product({ name: "Gotten Jug", price: "9.00", stock: 2 });
    const get = (headers: Record<string, string> = {}): Promise<Answer> =>
      fetch(`${url}?${new URLSearchParams({ query: productQuery, operationName: "ProductName", variables: JSON.stringify({ id: product.id }) })}`, { headers });
    const first = await get();
    expect(first.headers.get("x-response-cache")).toBeNull();
    expect((await first.json()).data.product.name).toBe("Gotten Jug");

    await renameTo(product.id, "Renamed Jug");
    const again = await get();
    expect(again.headers.get("x-response-cache")).toBe("hit");
    expect((await again.json()).data.product.name).toBe("Gotten Jug");
    // The same query over POST is the same answer.
    const posted = await post(url, { query: productQuery, operationName: "ProductName", variables: { id: product.id } });
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

  it("never serves or keeps answers of signed-in callers", async () => {
    const customer = await registerCustomer(url);
    const product = await build.product({ name: "Private Teapot", price: "12.00" });
    const signedIn = { authorization: `Bearer ${customer.accessToken}` };
    await post(url, { query: productQuery, variables: { id: product.id } }, signedIn);
    await renameTo(product.id, "Renamed Teapot");
    const second = await post(url, { query: productQuery, variables: { id: product.id } }, signedIn);
    expect(second.headers.get("x-response-cache")).toBeNull();
    expect((await second.json()).data.product.name).toBe("Renamed Teapot");
    // Nor did the signed-in answer become the anonymous one.
    expect((await (await post(url, { query: productQuery, variables: { id: product.id } })).json()).data.product.name).toBe("Renamed Teapot");
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
