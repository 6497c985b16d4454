import type { Browser, Page } from "playwright-core";
import { launchChromium, newShopperContext, screenshot } from "../support/browser";
import { startStack, type RunningStack } from "../support/stack";
import { startStorefront, type RunningStorefront } from "../support/storefront";
import { newTestId } from "../support/testNames";
import { buildShop } from "./shop";

describe("the storefront's catalog in a real browser", () => {
  const testId = newTestId();
  let stack: RunningStack;
  let storefront: RunningStorefront;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof buildShop>>;

  beforeAll(async () => {
    stack = await startStack(testId);
    [storefront, browser, shop] = await Promise.all([
      startStorefront(stack.routerUrl),
      launchChromium(),
      buildShop(stack.routerUrl),
    ]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await storefront?.stop();
    await stack?.destroy();
  }, 60_000);

  async function open(path: string): Promise<Page> {
    const context = await newShopperContext(browser);
    const page = await context.newPage();
    await page.goto(`${storefront.url}${path}`);
    return page;
  }

  it("renders catalog pages on the server, with the data in the HTML", async () => {
    const response = await fetch(`${storefront.url}/products/${shop.tee.slug}`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("<h1>Trail Tee</h1>");
    expect(html).toContain("window.__STOREFRONT__");
    expect(response.headers.get("server-timing")).toMatch(/^render;dur=/);
    expect((await fetch(`${storefront.url}/products/no-such-product`)).status).toBe(404);
  });

  it("shows the categories on the home page", async () => {
    const page = await open("/");
    await page.getByRole("link", { name: "Apparel" }).waitFor();
    await screenshot(page, "home");
    await page.context().close();
  });

  it("narrows the list when a facet is chosen", async () => {
    const page = await open(`/search?category=${shop.category.id}`);
    const count = page.getByTestId("result-count");
    await expect(count.textContent()).resolves.toBe("3 products");
    await page.getByRole("checkbox", { name: /linen/ }).check();
    await page.getByTestId("result-count").filter({ hasText: "1 product" }).waitFor();
    await expect(page.getByTestId("product-card").allTextContents()).resolves.toEqual([
      expect.stringContaining("Linen Shirt"),
    ]);
    expect(new URL(page.url()).searchParams.getAll("f.Material")).toEqual(["linen"]);
    await screenshot(page, "search");
    // Back restores the whole list (the filter lives in the URL).
    await page.goBack();
    await page.getByTestId("result-count").filter({ hasText: "3 products" }).waitFor();
    await page.context().close();
  });

  it("picks a variant: price and stock follow, unavailable options are greyed", async () => {
    const page = await open(`/products/${shop.tee.slug}`);
    const price = page.getByTestId("variant-price");
    const stock = page.getByTestId("variant-stock");
    // The default variant, S / Red.
    await expect(price.textContent()).resolves.toBe("$20.00");
    await expect(stock.textContent()).resolves.toBe("Only 5 left");

    await page.getByRole("radio", { name: "M", exact: true }).check();
    await price.filter({ hasText: "$22.00" }).waitFor();
    await expect(stock.textContent()).resolves.toBe("In stock");

    await page.getByRole("radio", { name: "Blue", exact: true }).check();
    await price.filter({ hasText: "$23.50" }).waitFor();
    // Beside Blue, L is made in no variant: disabled; S is sold out: greyed but choosable.
    await expect(page.getByRole("radio", { name: "L (not available)" }).isDisabled()).resolves.toBe(true);
    const small = page.getByRole("radio", { name: "S (sold out)" });
    await expect(small.isDisabled()).resolves.toBe(false);
    await small.check({ force: true });
    await stock.filter({ hasText: "Out of stock" }).waitFor();
    await expect(page.getByRole("button", { name: /add to cart/i }).isDisabled()).resolves.toBe(true);
    await page.getByRole("radio", { name: "M", exact: true }).check({ force: true });
    await screenshot(page, "product");
    await page.context().close();
  });
});
