import { connect, headers, type NatsConnection } from "nats";
import { randomUUID } from "node:crypto";
import { createEnvelope } from "../../subgraphs/common/events/envelope";
import { appendToOutbox } from "../../subgraphs/common/events/outbox";
import { OutboxRelay } from "../../subgraphs/common/events/outboxRelay";
import { EventConsumer, onEvent } from "../../subgraphs/common/events/eventConsumer";
import { deadLetterSubject, subjectFor, streamFor } from "../../subgraphs/common/events/streams";
import { createLogger } from "../../subgraphs/common/logger";
import { createUsersDatabase } from "../../subgraphs/users";
import { NatsTap } from "../support/natsTap";
import { inventoryEventHandlers } from "../../subgraphs/inventory";
import { graphql, graphqlData } from "../support/graphqlClient";
import { loginAdmin } from "../support/identity";
import { PrivateNats } from "../support/privateNats";
import { recordSentStatements } from "../support/sqlCounter";
import { startServices, type TestServices } from "../support/testServices";
import { waitFor } from "../support/waitFor";

const createProduct = `
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) { id sku }
  }
`;

let sequence = 0;
function productInput() {
  sequence += 1;
  return { sku: `EVT-${sequence}-${Date.now()}`, name: `Event test product ${sequence}`, price: "10.00" };
}

describe("the event bus: catalog.product.created reaches inventory through the outbox", () => {
  let services: TestServices<"products" | "inventory">;
  let products: TestServices<"products">["products"];
  let inventory: TestServices<"inventory">["inventory"];
  let testId: string;
  let nats: NatsConnection;
  let token: string;

  beforeAll(async () => {
    services = await startServices(["products", "inventory"], { router: false });
    ({ products, inventory, testId } = services);
    token = (await loginAdmin(services.users.url)).accessToken;
    nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
  });

  afterAll(async () => {
    await nats?.close();
    await services?.cleanUp();
  });

  const stockRow = (productId: string) =>
    inventory.runtime.db.stockLevel.findUnique({ where: { variantId: productId } });

  it("creates the product's stock record in inventory and stamps the outbox row as published", async () => {
    const { createProduct: product } = await graphqlData(products.url, createProduct, {
      token,
      variables: { input: productInput() },
    });
    const stock = await waitFor(() => stockRow(product.id).then((row) => row ?? undefined), "the stock record");
    expect(stock).toMatchObject({ productId: product.id, onHand: 0, reserved: 0 });

    // Stamped after the relay's linger, in one statement with whatever else it published then.
    const outboxRow = await waitFor(
      async () =>
        (await products.runtime.db.outboxEvent.findFirst({
          where: {
            type: "catalog.product.created",
            envelope: { path: ["data", "productId"], equals: product.id },
            publishedAt: { not: null },
          },
        })) ?? undefined,
      "the outbox row stamped as published",
    );
    expect(outboxRow.publishedAt).toBeInstanceOf(Date);
  });

  it("publishes each event with its id as Nats-Msg-Id, so a second publication is stored once", async () => {
    const { createProduct: product } = await graphqlData(products.url, createProduct, {
      token,
      variables: { input: productInput() },
    });
    const row = await waitFor(
      () =>
        products.runtime.db.outboxEvent
          .findFirst({
            where: { publishedAt: { not: null }, envelope: { path: ["data", "productId"], equals: product.id } },
          })
          .then((found) => found ?? undefined),
      "the published outbox row",
    );
    const jsm = await nats.jetstreamManager();
    const stream = streamFor(testId, "catalog.product.created");
    const stored = await jsm.streams.getMessage(stream, {
      last_by_subj: subjectFor(testId, "catalog.product.created"),
    });
    expect(stored.header.get("Nats-Msg-Id")).toBe(row.id);

    const before = (await jsm.streams.info(stream)).state.messages;
    const ack = await nats
      .jetstream()
      .publish(subjectFor(testId, "catalog.product.created"), JSON.stringify(row.envelope), { msgID: row.id });
    expect(ack.duplicate).toBe(true);
    expect((await jsm.streams.info(stream)).state.messages).toBe(before);
  });

  it("changes nothing when an event is delivered again", async () => {
    const { createProduct: product } = await graphqlData(products.url, createProduct, {
      token,
      variables: { input: productInput() },
    });
    const first = await waitFor(() => stockRow(product.id).then((row) => row ?? undefined), "the stock record");
    // Back office changed the stock since; a replayed "created" must not reset or touch it.
    await inventory.runtime.db.stockLevel.update({ where: { variantId: product.id }, data: { onHand: 7 } });
    const touched = await stockRow(product.id);

    const row = await products.runtime.db.outboxEvent.findFirstOrThrow({
      where: { envelope: { path: ["data", "productId"], equals: product.id } },
    });
    const handler = jest.spyOn(inventoryEventHandlers[0]!, "handle");
    // Published under new message ids, JetStream stores and delivers it twice more, as after a redelivery.
    const js = nats.jetstream();
    for (const copy of [1, 2]) {
      const h = headers();
      h.set("x-test-copy", String(copy));
      await js.publish(subjectFor(testId, "catalog.product.created"), JSON.stringify(row.envelope), {
        msgID: `${row.id}-copy-${copy}`,
        headers: h,
      });
    }
    const jsm = await nats.jetstreamManager();
    const consumerName = inventory.runtime.consumers[0]!.name;
    await waitFor(async () => {
      const info = await jsm.consumers.info(streamFor(testId, "catalog.product.created"), consumerName);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, "the consumer to handle the copies");

    expect(handler).not.toHaveBeenCalled();
    handler.mockRestore();
    const after = await stockRow(product.id);
    expect(after).toEqual(touched);
    expect(after?.onHand).toBe(7);
    expect(after?.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
    const applied = await inventory.runtime.db.processedEvent.count({ where: { eventId: row.id } });
    expect(applied).toBe(1);
  });

  it("applies an event once even when two deliveries race", async () => {
    const { createProduct: product } = await graphqlData(products.url, createProduct, {
      token,
      variables: { input: productInput() },
    });
    await waitFor(() => stockRow(product.id).then((row) => row ?? undefined), "the stock record");
    const row = await products.runtime.db.outboxEvent.findFirstOrThrow({
      where: { envelope: { path: ["data", "productId"], equals: product.id } },
    });
    const consumer = inventory.runtime.consumers[0]!;
    const envelope = { ...(row.envelope as object), id: "5b1f2f0e-9f5e-4d1a-8a59-2f9a6f1d0c11" } as never;
    const outcomes = await Promise.allSettled([
      consumer.apply(envelope),
      consumer.apply(envelope),
      consumer.apply(envelope),
    ]);
    const applied = outcomes.filter((outcome) => outcome.status === "fulfilled" && outcome.value === "applied");
    expect(applied).toHaveLength(1);
    expect(
      await inventory.runtime.db.processedEvent.count({ where: { eventId: "5b1f2f0e-9f5e-4d1a-8a59-2f9a6f1d0c11" } }),
    ).toBe(1);
  });

  it("applies a read model's versioned event without a record: a repeated or older one changes nothing", async () => {
    const { createProduct: product } = await graphqlData(products.url, createProduct, {
      token,
      variables: { input: productInput() },
    });
    const consumer = products.runtime.consumers.find((each) => each.name.endsWith("inventory_stock_changed"))!;
    const stockChanged = (version: number, available: number) =>
      createEnvelope("inventory", {
        type: "inventory.stock.changed",
        data: {
          productId: product.id,
          onHand: available,
          reserved: 0,
          available,
          lowStockThreshold: 0,
          version,
          kind: "ADJUSTMENT",
        },
      });
    const availability = () =>
      products.runtime.db.variantAvailability.findUniqueOrThrow({ where: { variantId: product.id } });
    // Newer than whatever the product's own stock events said, so this test decides what is seen.
    const newest = stockChanged(1_000, 9);
    await consumer.apply(newest as never);
    expect(await availability()).toMatchObject({ available: 9, version: 1_000n });
    await consumer.apply(newest as never);
    await consumer.apply(stockChanged(999, 1) as never);
    expect(await availability()).toMatchObject({ available: 9, version: 1_000n });
    await consumer.apply(stockChanged(1_001, 2) as never);
    expect(await availability()).toMatchObject({ available: 2, version: 1_001n });
    expect(await products.runtime.db.processedEvent.count({ where: { eventId: newest.id } })).toBe(0);
  });

  it("keeps an event whose database is away, however often it is delivered, instead of dead-lettering it", async () => {
    // The error Prisma throws when the database cannot be reached, from a real attempt.
    const away = createUsersDatabase("postgres://postgres@127.0.0.1:1/nowhere");
    const unreachable = await away.user.count().then(
      () => undefined,
      (error: unknown) => error,
    );
    await away.$disconnect();
    expect(unreachable).toBeDefined();
    const deliveries = new Map<string, number>();
    const handler = onEvent("catalog.product.created", async (event) => {
      deliveries.set(event.data.productId, (deliveries.get(event.data.productId) ?? 0) + 1);
      throw unreachable;
    });
    // A consumer of a service not running here, so it has the stream's events to itself.
    const consumer = new EventConsumer({
      service: "notifications",
      handler: handler as never,
      unitOfWork: inventory.runtime.unitOfWork as never,
      db: inventory.runtime.db as never,
      js: nats.jetstream(),
      jsm: await nats.jetstreamManager(),
      namespace: testId,
      logger: createLogger("notifications", { level: "silent" }),
      maxDeliveries: 2,
      retryDelaysMs: [20],
    });
    const deadLetters = await NatsTap.open(deadLetterSubject(testId, consumer.name));
    await consumer.start();
    try {
      const { createProduct: product } = await graphqlData(products.url, createProduct, {
        token,
        variables: { input: productInput() },
      });
      // More than twice maxDeliveries, and still delivered again.
      await waitFor(() => (deliveries.get(product.id) ?? 0) >= 5, "five deliveries of the new event", 15_000);
      expect(deadLetters.received).toEqual([]);
    } finally {
      // Stopping while deliveries keep coming must end too: the fetched ones are handed back.
      await consumer.stop();
      await deadLetters.close();
      await (
        await nats.jetstreamManager()
      ).consumers.delete(streamFor(testId, "catalog.product.created"), consumer.name);
    }
  });

  it("writes nothing to the outbox when the change rolls back", async () => {
    // Counted by type: the change's audit entry travels through the outbox too.
    const created = { where: { type: "catalog.product.created" } };
    const before = await products.runtime.db.outboxEvent.count(created);
    const input = productInput();
    await graphqlData(products.url, createProduct, { token, variables: { input } });
    // The same sku again: the insert fails, and the event of the failed attempt must not exist.
    const conflict = await graphql(products.url, createProduct, {
      token,
      variables: { input: { ...input, name: "Another name" } },
    });
    expect(conflict.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "sku" });
    expect(await products.runtime.db.outboxEvent.count(created)).toBe(before + 1);
  });

  it("stamps the events of the commits within its linger in one statement", async () => {
    const { db, js, env } = products.runtime;
    // A relay of its own, polling never: only its direct path publishes and stamps these rows.
    const relay = new OutboxRelay({
      db,
      js,
      namespace: env.NATS_NAMESPACE,
      logger: createLogger("test", { level: "silent" }),
      pollIntervalMs: 3_600_000,
      pollGraceMs: 3_600_000,
      stampLingerMs: 1_000,
    });
    // The service's own relay stamps what the service publishes meanwhile: it rests during the count.
    await products.runtime.relay.stop();
    relay.start();
    const unknownProduct = randomUUID();
    const events = [1, 2, 3].map((version) =>
      createEnvelope("inventory", {
        type: "inventory.stock.changed",
        data: {
          productId: unknownProduct,
          onHand: version,
          reserved: 0,
          available: version,
          lowStockThreshold: 0,
          version,
          kind: "ADJUSTMENT",
        },
      }),
    );
    const stamped = () =>
      db.outboxEvent.count({ where: { id: { in: events.map((event) => event.id) }, publishedAt: { not: null } } });
    try {
      const { statements } = await recordSentStatements(async () => {
        for (const event of events) {
          await db.$transaction((tx) => appendToOutbox(tx, [event]));
          relay.publishCommitted([event]);
        }
        await relay.settled();
        expect(await stamped()).toBe(0);
        await waitFor(async () => (await stamped()) === events.length, "the three events to be stamped");
      });
      const stamps = statements.filter((each) => /^UPDATE outbox_event SET published_at/i.test(each.text));
      expect(stamps).toHaveLength(1);
    } finally {
      await relay.stop();
      products.runtime.relay.start();
    }
  });
});

describe("the event bus while NATS is down", () => {
  let privateNats: PrivateNats;
  let services: TestServices<"products">;
  let products: TestServices<"products">["products"];
  let testId: string;
  let token: string;

  beforeAll(async () => {
    privateNats = await PrivateNats.start();
    services = await startServices(["products"], {
      router: false,
      settings: { products: { NATS_URL: privateNats.url } },
    });
    ({ products, testId } = services);
    token = (await loginAdmin(services.users.url)).accessToken;
  });

  afterAll(async () => {
    await services?.cleanUp();
    await privateNats?.destroy();
  });

  it("keeps an event written while NATS is down and publishes it once NATS is back", async () => {
    await privateNats.pause();
    const publishedBefore = products.runtime.relay.publishedCount;
    const { createProduct: product } = await graphqlData(products.url, createProduct, {
      token,
      variables: { input: productInput() },
    });
    const pending = () =>
      products.runtime.db.outboxEvent.findFirstOrThrow({
        where: { envelope: { path: ["data", "productId"], equals: product.id } },
      });
    // The relay's attempt right after the commit has ended, and could publish nothing.
    await products.runtime.relay.settled();
    expect(products.runtime.relay.publishedCount).toBe(publishedBefore);
    expect((await pending()).publishedAt).toBeNull();

    await privateNats.resume();
    const published = await waitFor(
      () => pending().then((row) => row.publishedAt ?? undefined),
      "the relay to publish after NATS returned",
      20_000,
    );
    expect(published).toBeInstanceOf(Date);

    const observer = await connect({ servers: privateNats.url });
    const stored = await (
      await observer.jetstreamManager()
    ).streams.getMessage(streamFor(testId, "catalog.product.created"), {
      last_by_subj: subjectFor(testId, "catalog.product.created"),
    });
    expect(stored.json<{ data: { productId: string } }>().data.productId).toBe(product.id);
    await observer.close();
  });
});
