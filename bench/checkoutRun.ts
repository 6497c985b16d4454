import { randomUUID } from "node:crypto";
import type { LoadClient } from "./loadClient";
import { summarize } from "./processStats";
import type { WindowSample } from "./windowAccount";

/** A registered customer with a live `myOrderUpdates` subscription. */
export interface BenchCustomer {
  token: string;
  /** The order ids being waited for, and what to call with their outcome. */
  waiting: Map<string, (status: string) => void>;
  /**
   * Outcomes that arrived before their order's `placeOrder` answer did (a saga can finish before
   * the answer reaches the client): taken when the order starts waiting.
   */
  early: Map<string, string>;
}

export interface CatalogEntry {
  productId: string;
  variantId: string;
}

export const productsPage = `query Products($first: Int) { products(first: $first) { totalCount edges { node { id name price { amount currency } rating { average count } stock { available inStock } } } } }`;
const productQuery = `query Product($id: ID!) { product(id: $id) { id name description price { amount currency } rating { average count } stock { available inStock } } }`;

/** One order, from its customer's first request to the outcome seen on the subscription. */
interface Journey {
  /** When it was due to start (open loop: its arrival; closed loop: when its customer was free). */
  arrivedAt: number;
  placedAt?: number;
  placeMs?: number;
  outcome: "CONFIRMED" | "CANCELLED" | "TIMEOUT" | "FAILED";
  settledAt: number;
  browseMs: number;
}

export interface RunSettings {
  /** closed: every customer places its next order when the last one settled; open: orders arrive at `rate` a second. */
  mode: "closed" | "open";
  /** Orders a second in the open loop. */
  rate: number;
  seconds: number;
  /** The first seconds are ramp-up, outside the measured window. */
  warmupSeconds: number;
  maxOrders: number;
}

export interface RunOutcome {
  /** The steady window: from the end of the warm-up until no new order starts. */
  window: { from: WindowSample; to: WindowSample };
  confirmedInWindow: number;
  placed: number;
  confirmed: number;
  cancelled: number;
  sagaTimeouts: number;
  failed: number;
  /** Open loop: arrivals that found no free customer before the run ended (the platform fell behind). */
  notStarted: number;
  placeOrderMs: ReturnType<typeof summarize>;
  sagaMs: ReturnType<typeof summarize>;
  /** Open loop: from the order's arrival to CONFIRMED, waiting for a free customer included. */
  arrivalToConfirmedMs: ReturnType<typeof summarize>;
  productsPageDuringCheckoutMs: ReturnType<typeof summarize>;
}

/** The customer side of an order: browse, look at a product, add it to the cart, place the order, wait for its outcome. */
async function placeOne(
  client: LoadClient,
  customer: BenchCustomer,
  catalog: readonly CatalogEntry[],
  arrivedAt: number,
): Promise<Journey> {
  const browse = await client.request(productsPage, { first: 20 }, customer.token);
  const { productId, variantId } = catalog[Math.floor(Math.random() * catalog.length)]!;
  await client.request(productQuery, { id: productId }, customer.token);
  await client.request(
    `mutation($id: ID!) { addToCart(variantId: $id, quantity: 1) { id } }`,
    { id: variantId },
    customer.token,
  );
  const placedAt = performance.now();
  const order = await client.request<{ placeOrder: { id: string } }>(
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`,
    {
      input: {
        idempotencyKey: randomUUID(),
        shippingAddress: { line1: "1 Bench St", city: "Testville", postalCode: "00000", country: "US" },
        paymentToken: "tok_visa",
      },
    },
    customer.token,
  );
  if (!order.ok) return { arrivedAt, outcome: "FAILED", settledAt: performance.now(), browseMs: browse.ms };
  const orderId = order.data!.placeOrder.id;
  const outcome = await new Promise<string>((resolve) => {
    const early = customer.early.get(orderId);
    if (early) {
      customer.early.delete(orderId);
      resolve(early);
      return;
    }
    const timer = setTimeout(() => resolve("TIMEOUT"), 10_000);
    customer.waiting.set(orderId, (status) => {
      clearTimeout(timer);
      resolve(status);
    });
  });
  customer.waiting.delete(orderId);
  return {
    arrivedAt,
    placedAt,
    placeMs: order.ms,
    outcome: outcome as Journey["outcome"],
    settledAt: performance.now(),
    browseMs: browse.ms,
  };
}

/**
 * One checkout run. The window's two samples are taken at the end of the warm-up and when the
 * run stops starting orders; orders confirmed between them are the ones the window's CPU and
 * work are divided by, and the latencies are those of orders placed in it.
 */
export async function runCheckout(
  settings: RunSettings,
  client: LoadClient,
  customers: readonly BenchCustomer[],
  catalog: readonly CatalogEntry[],
  takeSample: () => Promise<WindowSample>,
): Promise<RunOutcome> {
  const journeys: Journey[] = [];
  const started = performance.now();
  const deadline = started + settings.seconds * 1000;
  let placedCount = 0;
  const windowFrom = new Promise<WindowSample>((resolve) =>
    setTimeout(() => resolve(takeSample()), settings.warmupSeconds * 1000),
  );
  const windowTo = new Promise<WindowSample>((resolve) =>
    setTimeout(() => resolve(takeSample()), settings.seconds * 1000),
  );
  const record = (journey: Journey) => {
    journeys.push(journey);
    if (journey.placedAt !== undefined) placedCount += 1;
  };

  let notStarted = 0;
  if (settings.mode === "closed") {
    await Promise.all(
      customers.map(async (customer) => {
        while (performance.now() < deadline && placedCount < settings.maxOrders)
          record(await placeOne(client, customer, catalog, performance.now()));
      }),
    );
  } else {
    // Arrivals on a fixed schedule, whatever the platform's pace: an order waits for a free
    // customer (its cart) and its latency counts from its arrival, so slowness is not hidden by
    // the load slowing down with it.
    const arrivals: number[] = [];
    const free = [...customers];
    const running: Array<Promise<void>> = [];
    const dispatch = () => {
      while (arrivals.length > 0 && free.length > 0 && performance.now() < deadline) {
        const arrivedAt = arrivals.shift()!;
        const customer = free.pop()!;
        running.push(
          placeOne(client, customer, catalog, arrivedAt).then((journey) => {
            record(journey);
            free.push(customer);
            dispatch();
          }),
        );
      }
    };
    const interval = 1000 / settings.rate;
    for (let n = 0; ; n += 1) {
      const due = started + n * interval;
      if (due >= deadline || n >= settings.maxOrders) break;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      arrivals.push(due);
      dispatch();
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - performance.now())));
    notStarted = arrivals.length;
    await Promise.all(running);
  }
  const from = await windowFrom;
  const to = await windowTo;

  const inWindow = (at: number | undefined) => at !== undefined && at >= from.at && at <= to.at;
  const placedInWindow = journeys.filter((journey) => inWindow(journey.placedAt));
  const confirmed = journeys.filter((journey) => journey.outcome === "CONFIRMED");
  return {
    window: { from, to },
    confirmedInWindow: confirmed.filter((journey) => inWindow(journey.settledAt)).length,
    placed: placedCount,
    confirmed: confirmed.length,
    cancelled: journeys.filter((journey) => journey.outcome === "CANCELLED").length,
    sagaTimeouts: journeys.filter((journey) => journey.outcome === "TIMEOUT").length,
    failed: journeys.filter((journey) => journey.outcome === "FAILED").length,
    notStarted,
    placeOrderMs: summarize(placedInWindow.map((journey) => journey.placeMs!)),
    sagaMs: summarize(
      placedInWindow
        .filter((journey) => journey.outcome === "CONFIRMED")
        .map((journey) => journey.settledAt - journey.placedAt!),
    ),
    arrivalToConfirmedMs: summarize(
      placedInWindow
        .filter((journey) => journey.outcome === "CONFIRMED")
        .map((journey) => journey.settledAt - journey.arrivedAt),
    ),
    productsPageDuringCheckoutMs: summarize(placedInWindow.map((journey) => journey.browseMs)),
  };
}
