import { connect, type NatsConnection } from "nats";
import { EventConsumer, onEvent } from "../../subgraphs/common/events/eventConsumer";
import { streamFor } from "../../subgraphs/common/events/streams";
import { createLogger } from "../../subgraphs/common/logger";
import { CatalogBuilder } from "../support/catalogBuilder";
import { errorCodeOf, placeOrder, placeOrderInput } from "../support/checkout";
import { graphql, graphqlData } from "../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../support/identity";
import { startServices, type TestServices } from "../support/testServices";
import { waitFor } from "../support/waitFor";

const incidentsOf = `query($id: ID!) { order(id: $id) { id incidents {
  id service eventType reason deadLetter failedAt resolvedAt resolution } } }`;

describe("a dead-lettered event about an order surfaces on that order", () => {
  let services: TestServices<"products" | "inventory" | "orders">;
  let nats: NatsConnection;
  let consumer: EventConsumer<never>;
  let url: string;
  let admin: Session;
  let customer: Session;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders"]);
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url);
    nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    // A consumer of a service not running here whose handler always fails: it gives up on every
    // order placed, as a broken deployment of that service would.
    consumer = new EventConsumer({
      service: "notifications",
      handler: onEvent("orders.order.placed", () => Promise.reject(new Error("the template store is down"))) as never,
      unitOfWork: services.orders.runtime.unitOfWork as never,
      db: services.orders.runtime.db as never,
      js: nats.jetstream(),
      jsm: await nats.jetstreamManager(),
      namespace: services.testId,
      logger: createLogger("notifications", { level: "silent" }),
      maxDeliveries: 2,
      retryDelaysMs: [20],
    });
    await consumer.start();
  });

  afterAll(async () => {
    await consumer?.stop();
    await (
      await nats.jetstreamManager()
    ).consumers
      .delete(streamFor(services.testId, "orders.order.placed"), consumer.name)
      .catch(() => undefined);
    await nats?.close();
    await services?.cleanUp();
  });

  it("records the incident once, shows it to staff only, and lets staff resolve it once", async () => {
    const product = await new CatalogBuilder(url, admin.accessToken).product({
      name: "Stuck",
      price: "5.00",
      stock: 5,
    });
    const order = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );

    const incidents = await waitFor(async () => {
      const data = await graphqlData<{ order: { incidents: Array<Record<string, unknown>> } }>(url, incidentsOf, {
        token: admin.accessToken,
        variables: { id: order.id },
      });
      return data.order.incidents.length ? data.order.incidents : undefined;
    }, "the incident on the order");
    expect(incidents).toEqual([
      expect.objectContaining({
        service: "notifications",
        eventType: "orders.order.placed",
        reason: "the template store is down",
        deadLetter: expect.any(Number),
        resolvedAt: null,
      }),
    ]);
    const incident = incidents[0] as { id: string; deadLetter: number };

    const open = await graphqlData<{
      openOrderIncidents: Array<{ id: string; order: { id: string; number: string } }>;
    }>(url, `{ openOrderIncidents(first: 10) { id order { id number } } }`, { token: admin.accessToken });
    expect(open.openOrderIncidents).toEqual([{ id: incident.id, order: { id: order.id, number: order.number } }]);

    // The customer sees the order, but not what went wrong inside.
    const codeOf = async (query: string, token: string, variables: Record<string, unknown>) =>
      (await errorCodeOf(url, query, token, variables))?.code;
    expect(await codeOf(incidentsOf, customer.accessToken, { id: order.id })).toBe("FORBIDDEN");
    expect(
      await codeOf(`mutation($id: ID!) { resolveOrderIncident(id: $id) { id } }`, customer.accessToken, {
        id: incident.id,
      }),
    ).toBe("FORBIDDEN");

    const resolve = `mutation($id: ID!, $note: String) { resolveOrderIncident(id: $id, note: $note) { id resolvedAt resolution } }`;
    const resolved = await graphqlData<{ resolveOrderIncident: { resolvedAt: string | null; resolution: string } }>(
      url,
      resolve,
      { token: admin.accessToken, variables: { id: incident.id, note: "replayed dead letter" } },
    );
    expect(resolved.resolveOrderIncident).toMatchObject({
      resolvedAt: expect.any(String),
      resolution: "replayed dead letter",
    });
    expect(await codeOf(resolve, admin.accessToken, { id: incident.id })).toBe("CONFLICT");
    // The resolution is audited once (in its transaction), by the staff member who made it.
    const audited = await services.orders.runtime.db.$queryRaw<
      { actor_kind: string; entity_id: string; after: { incidentId: string; resolution: string } }[]
    >`SELECT actor_kind, entity_id, after FROM audit_entry WHERE action = 'order.incident_resolved'`;
    expect(audited).toEqual([
      {
        actor_kind: "USER",
        entity_id: order.id,
        after: expect.objectContaining({ incidentId: incident.id, resolution: "replayed dead letter" }),
      },
    ]);
    const afterwards = await graphql(
      url,
      `
        {
          openOrderIncidents {
            id
          }
        }
      `,
      { token: admin.accessToken },
    );
    expect(afterwards.data).toEqual({ openOrderIncidents: [] });

    // One dead letter, one incident.
    expect(await services.orders.runtime.db.orderIncident.count({ where: { orderId: order.id } })).toBe(1);
  });
});
