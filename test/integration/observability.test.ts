import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { startTracing } from "../../subgraphs/common/observability/tracing";
import { graphqlData } from "../support/graphqlClient";
import { CatalogBuilder } from "../support/catalogBuilder";
import { placeOrder, placeOrderInput, waitForOrder } from "../support/checkout";
import { loginAdmin, registerCustomer } from "../support/identity";
import { startServices, type TestServices } from "../support/testServices";
import { waitFor } from "../support/waitFor";

const spans = new InMemorySpanExporter();
startTracing("observability-test", { processors: [new SimpleSpanProcessor(spans)] });

describe("observability: traces across services and NATS, and metrics", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"]);
  });

  afterAll(() => services?.cleanUp());

  it("keeps one trace id from the router through products, across NATS, into inventory", async () => {
    const admin = await loginAdmin(services.router.url);
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const { createProduct } = await graphqlData(
      services.router.url,
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      {
        token: admin.accessToken,
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
        variables: { input: { sku: `TRACE-${Date.now()}`, name: "Traced", price: "1.00" } },
      },
    );
    const consumed = await waitFor(
      () =>
        spans
          .getFinishedSpans()
          .find(
            (span) =>
              span.name === "inventory consume catalog.product.created" &&
              span.attributes["messaging.message.id"] !== undefined &&
              span.spanContext().traceId === traceId,
          ),
      "inventory's consumer span",
    );
    expect(consumed.spanContext().traceId).toBe(traceId);
    const names = spans
      .getFinishedSpans()
      .filter((span) => span.spanContext().traceId === traceId)
      .map((span) => span.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "router POST /graphql",
        "products POST /graphql",
        "inventory consume catalog.product.created",
      ]),
    );
    // The trace context travels inside the event itself.
    const outbox = await services.products.runtime.db.outboxEvent.findFirstOrThrow({
      where: { envelope: { path: ["data", "productId"], equals: createProduct.id } },
    });
    expect((outbox.envelope as { traceparent?: string }).traceparent).toMatch(
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
    );
  });

  it("counts operations, errors, events, backlog, lag and business facts on /metrics", async () => {
    const url = services.router.url;
    const admin = await loginAdmin(url);
    const customer = await registerCustomer(url);
    const product = await new CatalogBuilder(url, admin.accessToken).product({
      name: "Metered",
      price: "2.00",
      stock: 5,
    });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ me { id } }" }),
    });
    const scrape = async (serviceUrl: string) => (await fetch(new URL("/metrics", serviceUrl))).text();

    const router = await scrape(url);
    expect(router).toMatch(/http_request_duration_seconds_bucket\{.*service="router"/);
    expect(router).toMatch(
      /graphql_operations_total\{operation="\(anonymous\)",type="mutation",service="router"\} \d+/,
    );
    expect(router).toMatch(/graphql_errors_total\{code="UNAUTHENTICATED",service="router"\} [1-9]/);

    const orders = await waitFor(async () => {
      const text = await scrape(services.orders.url);
      return /orders_confirmed_total\{service="orders"\} [1-9]/.test(text) ? text : undefined;
    }, "orders' business counters");
    expect(orders).toMatch(/orders_placed_total\{service="orders"\} [1-9]/);
    expect(orders).toMatch(/events_published_total\{type="orders.order.placed",service="orders"\} [1-9]/);
    expect(orders).toMatch(
      /events_consumed_total\{type="payments.payment.captured",outcome="applied",service="orders"\} [1-9]/,
    );
    expect(orders).toMatch(/outbox_backlog\{service="orders"\} \d+/);
    expect(orders).toMatch(
      /event_consumer_lag\{consumer="orders__inventory_reservation_succeeded",service="orders"\} \d+/,
    );
    const payments = await scrape(services.payments.url);
    expect(payments).toMatch(/payments_captured_total\{service="payments"\} [1-9]/);
  });
});
