import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium, layoutShifts, newShopperContext, storedItem } from "../support/browser";
import { FakeStripe } from "../support/fakeStripe/fakeStripe";
import { stripeJsStandIn } from "../support/fakeStripe/stripeJs";
import { registerCustomer } from "../support/identity";
import { startStack, type RunningStack } from "../support/stack";
import { startStorefront, type RunningStorefront } from "../support/storefront";
import { newTestId } from "../support/testNames";
import { buildShop } from "./shop";

/** What the stand-in for Stripe.js keeps of what the page did (test/support/fakeStripe/stripeJs.ts). */
interface StandInState {
  publishableKey: string | null;
  elementsOptions: { mode: string; amount: number; currency: string; paymentMethodCreation?: string } | null;
  createdPaymentMethods: string[];
  challenges: number;
}

/**
 * The storefront's checkout with the payments service configured for Stripe, in Debian's
 * Chromium against the real stack. Stripe is the fake Stripe server (test/support/fakeStripe),
 * which the payments service's Stripe SDK calls and whose webhooks reach it signed; the browser
 * cannot reach js.stripe.com, so the page's Stripe.js is a stand-in served by `route`, which
 * calls https://api.stripe.com with the publishable key, routed to the same fake. Its own file:
 * a stack of its own, configured for Stripe.
 */
describe("the storefront's checkout with Stripe", () => {
  const testId = newTestId();
  let fakeStripe: FakeStripe;
  let stack: RunningStack;
  let storefront: RunningStorefront;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof buildShop>>;

  beforeAll(async () => {
    fakeStripe = await FakeStripe.start();
    stack = await startStack(testId, fakeStripe.settings(), { readyTimeoutMs: 420_000 });
    fakeStripe.deliverWebhooksTo(new URL("/webhooks/stripe", stack.subgraphUrls.payments).toString());
    await Promise.all([
      startStorefront(stack.routerUrl).then((started) => (storefront = started)),
      launchChromium().then((launched) => (browser = launched)),
      buildShop(stack.routerUrl).then((built) => (shop = built)),
    ]);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await storefront?.stop();
    await stack?.destroy();
    await fakeStripe?.close();
  }, 120_000);

  /** Requests to js.stripe.com, by page: Stripe.js must load on the checkout only. */
  const stripeJsLoads = new Map<Page, number>();

  /** A shopper's browser where js.stripe.com serves the stand-in and api.stripe.com is the fake. */
  async function stripeContext(): Promise<BrowserContext> {
    const context = await newShopperContext(browser);
    await context.route("https://js.stripe.com/**", async (route) => {
      const page = route.request().frame().page();
      stripeJsLoads.set(page, (stripeJsLoads.get(page) ?? 0) + 1);
      await route.fulfill({ status: 200, contentType: "application/javascript", body: stripeJsStandIn });
    });
    await context.route("https://api.stripe.com/**", async (route) => {
      const asked = new URL(route.request().url());
      const response = await route.fetch({
        url: `http://127.0.0.1:${fakeStripe.port}${asked.pathname}${asked.search}`,
      });
      await route.fulfill({ response });
    });
    return context;
  }

  async function go(page: Page, path: string): Promise<void> {
    await page.goto(`${storefront.url}${path}`);
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  }

  async function open(path: string): Promise<Page> {
    const context = await stripeContext();
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await go(page, path);
    return page;
  }

  async function addVariant(page: Page, options: string[], quantity = 1): Promise<void> {
    await go(page, `/products/${shop.tee.slug}`);
    for (const option of options) await page.getByRole("radio", { name: option, exact: true }).check();
    await page.getByLabel("Quantity").fill(String(quantity));
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.getByRole("status").filter({ hasText: "to your cart" }).waitFor();
  }

  async function fillAddress(page: Page): Promise<void> {
    await page.getByLabel("Full name").fill("Ada Lovelace");
    await page.getByLabel("Address", { exact: true }).fill("12 Analytical Row");
    await page.getByLabel("City").fill("London");
    await page.getByLabel("Postal code").fill("N1 7AA");
    await page.getByLabel(/Country code/).fill("GB");
  }

  /** Types a card into the Payment Element (the stand-in's fields). */
  async function enterCard(page: Page, number: string): Promise<void> {
    await page.getByLabel("Card number").fill(number);
    await page.getByLabel("Expiration date (MM / YY)").fill("12 / 34");
    await page.getByLabel("Security code").fill("123");
  }

  const standIn = (page: Page) =>
    page.evaluate(() => (globalThis as unknown as { __stripeStandIn: StandInState }).__stripeStandIn);

  /** The PaymentIntents the payments service made with the fake, with the PaymentMethod each was confirmed with. */
  const intentsPaidWith = (paymentMethod: string) =>
    [...fakeStripe.account.intents.values()].filter((intent) => intent.payment_method === paymentMethod);

  /**
   * On an order page whose card needs 3-D Secure: the bank's challenge, shown by Stripe.js once
   * the payment waits for its customer, completed; the order then confirmed live, the card
   * charged `amount` (minor units) once.
   */
  async function completeChallenge(page: Page, amount: number): Promise<void> {
    const challenge = page.getByRole("dialog", { name: "3D Secure authentication" });
    await challenge.waitFor({ timeout: 90_000 });
    await page.getByRole("heading", { name: "Confirm your payment" }).waitFor();
    // The live status and Stripe's challenge arrive on their own paths: the page shows the wait for payment too.
    await page.locator('[data-testid="order-status"][data-status="AWAITING_PAYMENT"]').waitFor({ timeout: 30_000 });
    await challenge.getByRole("button", { name: "Complete authentication" }).click();

    await page.locator('[data-testid="order-status"][data-status="CONFIRMED"]').waitFor({ timeout: 90_000 });
    await page.getByText("Thank you! Your order is confirmed.").waitFor();
    await expect(page.getByRole("heading", { name: "Confirm your payment" }).count()).resolves.toBe(0);
    const state = await standIn(page);
    expect(state.challenges).toBe(1);
    expect(intentsPaidWith(state.createdPaymentMethods[0]!)).toEqual([
      expect.objectContaining({ status: "succeeded", amount }),
    ]);
  }

  it("lets a guest pay with a card in Stripe's Payment Element and see the order confirmed", async () => {
    const page = await open("/");
    await addVariant(page, ["M", "Red"], 2);
    // Stripe.js is not loaded off the checkout (the catalog pages stay as light as before).
    expect(stripeJsLoads.get(page) ?? 0).toBe(0);

    await go(page, "/checkout");
    // Not the simulated provider's test cards: Stripe's form, told the amount and currency.
    await page.getByLabel("Card number").waitFor();
    await expect(page.getByRole("radio", { name: /Visa ending 4242/ }).count()).resolves.toBe(0);
    // Stripe's form took the room kept for it: nothing moved while the checkout loaded.
    await expect(layoutShifts(page)).resolves.toEqual([]);
    await page.getByLabel("Email").fill(`stripe-guest-${testId}@example.com`);
    await fillAddress(page);
    expect(stripeJsLoads.get(page)).toBe(1);
    const configured = await standIn(page);
    expect(configured.publishableKey).toBe(fakeStripe.publishableKey);
    expect(configured.elementsOptions).toMatchObject({
      mode: "payment",
      amount: 4400, // 2 × 22.00, no shipping zone or tax for GB in this stack
      currency: "usd",
      paymentMethodCreation: "manual",
    });

    // An incomplete card is refused in place by Stripe.js; nothing is ordered.
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByRole("button", { name: "Place order" }).click();
    await page.getByRole("alert").filter({ hasText: "Your card's expiration date is incomplete." }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/checkout");

    await enterCard(page, "4242 4242 4242 4242");
    await page.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/orders\//, { timeout: 90_000 });
    await page.locator('[data-testid="order-status"][data-status="CONFIRMED"]').waitFor({ timeout: 90_000 });
    await page.getByText("Thank you! Your order is confirmed.").waitFor();
    await page.getByText("2 × Trail Tee (M / Red)").waitFor();
    await expect(storedItem(page, "storefront.guestCart")).resolves.toBeNull();

    // The order was paid with the PaymentMethod Stripe.js made of that card, for the order's total.
    const [paymentMethod] = (await standIn(page)).createdPaymentMethods;
    expect(paymentMethod).toMatch(/^pm_/);
    expect(intentsPaidWith(paymentMethod!)).toEqual([
      expect.objectContaining({ status: "succeeded", amount: 4400, currency: "usd" }),
    ]);
    await page.context().close();
  }, 300_000);

  it("takes a card that needs 3-D Secure through handleNextAction, then confirms the order live", async () => {
    const shopper = await registerCustomer(stack.routerUrl);
    const page = await open(`/sign-in?next=${encodeURIComponent("/")}`);
    await page.getByLabel("Email").fill(shopper.user.email);
    await page.getByLabel("Password").fill(shopper.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: /Sign out/ }).waitFor();
    await addVariant(page, ["L", "Red"], 1);

    await go(page, "/checkout");
    await fillAddress(page);
    await enterCard(page, "4000 0000 0000 3220");
    await page.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/orders\//, { timeout: 90_000 });

    await completeChallenge(page, 2400);
    await page.context().close();
  }, 300_000);

  it("takes a guest's card that needs 3-D Secure through handleNextAction, with the order's access token", async () => {
    const page = await open("/");
    await addVariant(page, ["S", "Red"], 1);
    await go(page, "/checkout");
    await page.getByLabel("Email").fill(`stripe-guest-3ds-${testId}@example.com`);
    await fillAddress(page);
    await enterCard(page, "4000 0000 0000 3220");
    await page.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/orders\//, { timeout: 90_000 });
    const orderId = new URL(page.url()).pathname.split("/").pop()!;
    // The token placeGuestOrder answered is kept beside the order's number and email.
    const kept = JSON.parse((await storedItem(page, "storefront.guestOrders"))!) as Record<
      string,
      { number: string; accessToken?: string }
    >;
    expect(kept[orderId]?.accessToken).toMatch(/^ga1\./);

    await completeChallenge(page, 2000);
    await page.context().close();
  }, 300_000);
});
