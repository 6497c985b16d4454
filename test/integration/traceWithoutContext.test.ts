import { randomUUID } from "node:crypto";
import { createEnvelope, type EventEnvelope } from "../../subgraphs/common/events/envelope";
import { EventConsumer, onEvent } from "../../subgraphs/common/events/eventConsumer";
import { createUnitOfWork } from "../../subgraphs/common/events/unitOfWork";
import { createLogger } from "../../subgraphs/common/logger";
import { createOrdersDatabase, type OrdersTx } from "../../subgraphs/orders";
import { graphqlData } from "../support/graphqlClient";
import { loginAdmin } from "../support/identity";
import { provisionTestDatabase } from "../support/testDatabase";
import { newTestId } from "../support/testNames";
import { startServices, type TestServices } from "../support/testServices";

/**
 * This process starts no tracer, as a service runs without a trace exporter: no async context
 * holds a span, and a trace context rides on what carries the work: a request's into the events
 * its unit of work writes, a consumed event's into the events its handler emits.
 */
describe("trace context without an async context", () => {
  describe("a request's events", () => {
    let services: TestServices<"products">;

    beforeAll(async () => {
      services = await startServices(["products"]);
    });

    afterAll(() => services?.cleanUp());

    it("carry the caller's trace into the outbox", async () => {
      const admin = await loginAdmin(services.router.url);
      const traceparent = `00-${randomUUID().replaceAll("-", "")}-00f067aa0ba902b7-01`;
      const { createProduct } = await graphqlData(
        services.router.url,
        `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
        {
          token: admin.accessToken,
          headers: { traceparent },
          variables: { input: { sku: `UNTRACED-${Date.now()}`, name: "Carried", price: "1.00" } },
        },
      );
      const outbox = await services.products.runtime.db.outboxEvent.findFirstOrThrow({
        where: { envelope: { path: ["data", "productId"], equals: createProduct.id } },
      });
      expect((outbox.envelope as { traceparent?: string }).traceparent).toBe(traceparent);
    });
  });

  describe("a consumed event's events", () => {
    const type = "inventory.reservation.succeeded";
    let database: { url: string; drop(): Promise<void> };
    let db: ReturnType<typeof createOrdersDatabase>;
    const committed: EventEnvelope[] = [];
    let consumer: EventConsumer<OrdersTx>;

    beforeAll(async () => {
      database = await provisionTestDatabase("orders", newTestId());
      db = createOrdersDatabase(database.url);
      const handler = onEvent<OrdersTx, typeof type>(type, async (event, _tx, emit) => {
        emit(type, { orderId: event.data.orderId });
      });
      consumer = new EventConsumer<OrdersTx>({
        service: "orders",
        handler: handler as never,
        unitOfWork: createUnitOfWork<OrdersTx>({
          service: "orders",
          db,
          onCommitted: (events) => committed.push(...events),
        }),
        db,
        // Applied directly, never started: no NATS needed.
        js: undefined as never,
        jsm: undefined as never,
        namespace: newTestId(),
        logger: createLogger("orders", { level: "silent" }),
      });
    });

    afterAll(async () => {
      await db?.$disconnect();
      await database?.drop();
    });

    const traced = (traceparent?: string) => {
      const event = createEnvelope("inventory", { type, data: { orderId: randomUUID() } }, traceparent);
      return event as EventEnvelope;
    };
    const emittedFor = (event: EventEnvelope) =>
      committed.find(
        (each) => (each.data as { orderId: string }).orderId === (event.data as { orderId: string }).orderId,
      );

    it("carry its trace, applied alone", async () => {
      const event = traced("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
      expect(await consumer.apply(event)).toBe("applied");
      expect(emittedFor(event)?.traceparent).toBe(event.traceparent);
    });

    it("carry each its own event's trace, applied in a batch", async () => {
      const events = [
        traced("00-11111111111111111111111111111111-1111111111111111-01"),
        traced(),
        traced("00-22222222222222222222222222222222-2222222222222222-01"),
      ];
      expect(await consumer.applyBatch(events)).toEqual(["applied", "applied", "applied"]);
      expect(events.map((event) => emittedFor(event)?.traceparent)).toEqual([
        events[0]!.traceparent,
        undefined,
        events[2]!.traceparent,
      ]);
    });
  });
});
