import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { connect, type NatsConnection } from "nats";
import { runDeadLetters } from "../../scripts/deadLetters";
import { EventConsumer, onEvent } from "../../subgraphs/common/events/eventConsumer";
import { streamFor } from "../../subgraphs/common/events/streams";
import { createLogger } from "../../subgraphs/common/logger";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { graphqlData } from "../support/graphqlClient";
import { loginAdmin } from "../support/identity";
import { startServices, type TestServices } from "../support/testServices";
import { waitFor } from "../support/waitFor";

/** Runs the CLI in this process, with what it prints. */
async function cli(namespace: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDeadLetters(
    args,
    { NATS_URL: process.env.NATS_URL ?? "nats://127.0.0.1:4222", NATS_NAMESPACE: namespace },
    { out: (line) => out.push(line), err: (line) => err.push(line) },
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("dead letters: an admin lists them and replays them", () => {
  let services: TestServices<"products" | "inventory">;
  let nats: NatsConnection;
  let consumer: EventConsumer<never>;
  let broken = true;
  const applied = new Map<string, number>();

  beforeAll(async () => {
    services = await startServices(["products", "inventory"], { router: false });
    nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    // A consumer of a service not running here, whose handler fails until it is "fixed".
    const handler = onEvent("catalog.product.created", async (event) => {
      if (broken) throw new Error("the handler is broken");
      applied.set(event.data.productId, (applied.get(event.data.productId) ?? 0) + 1);
    });
    consumer = new EventConsumer({
      service: "notifications",
      handler: handler as never,
      unitOfWork: services.inventory.runtime.unitOfWork as never,
      db: services.inventory.runtime.db as never,
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
      .delete(streamFor(services.testId, "catalog.product.created"), consumer.name)
      .catch(() => undefined);
    await nats?.close();
    await services?.cleanUp();
  });

  it("lists and shows the event a consumer gave up on, then replays it so that consumer applies it once", async () => {
    const admin = await loginAdmin(services.users.url);
    const { createProduct: product } = await graphqlData(
      services.products.url,
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      { token: admin.accessToken, variables: { input: { sku: `DL-${randomUUID()}`, name: "Dead", price: "3.00" } } },
    );
    const listed = await waitFor(async () => {
      const result = await cli(services.testId, "list");
      return result.out.includes(product.id) || result.out.includes("catalog.product.created") ? result : undefined;
    }, "the dead letter in the list");
    expect(listed.code).toBe(0);
    expect(listed.out).toContain("notifications__catalog_product_created");
    expect(listed.out).toContain("2 deliveries: the handler is broken");
    const seq = listed.out.trim().split(/\s+/)[0]!;

    const shown = await cli(services.testId, "show", seq);
    expect(JSON.parse(shown.out)).toMatchObject({
      id: Number(seq),
      storedOn: `${services.testId}.deadletter.notifications.notifications__catalog_product_created`,
      subject: `${services.testId}.catalog.product.created`,
      consumer: "notifications__catalog_product_created",
      service: "notifications",
      reason: "the handler is broken",
      eventType: "catalog.product.created",
      event: { type: "catalog.product.created", data: { productId: product.id } },
    });
    const eventId = JSON.parse(shown.out).eventId as string;
    expect(applied.get(product.id)).toBeUndefined();

    broken = false;
    const replayed = await cli(services.testId, "replay", seq);
    expect(replayed).toMatchObject({ code: 0 });
    expect(replayed.out).toBe(
      `Replayed event ${eventId} (catalog.product.created) to ${services.testId}.catalog.product.created; dead letter ${seq} removed.`,
    );
    await waitFor(() => applied.get(product.id) === 1, "the fixed consumer to apply the event");

    // Inventory's own consumer had applied it already: the replay is a duplicate there.
    const duplicates = async () =>
      (await services.inventory.runtime.metrics.eventsConsumed.get()).values.find(
        (sample) => sample.labels.type === "catalog.product.created" && sample.labels.outcome === "duplicate",
      )?.value ?? 0;
    await waitFor(async () => (await duplicates()) >= 1, "inventory to see the replay as a duplicate");
    expect(await services.inventory.runtime.db.stockLevel.count({ where: { productId: product.id } })).toBe(1);

    // Replayed once: the dead letter is gone, and a second replay finds nothing.
    expect(await cli(services.testId, "replay", seq)).toMatchObject({
      code: 1,
      err: `There is no dead letter ${seq}.`,
    });
    expect((await cli(services.testId, "list")).out).toBe("No dead letters.");
    expect(applied.get(product.id)).toBe(1);
  });

  it("answers a wrong command with its usage", async () => {
    expect(await cli(services.testId, "replay")).toMatchObject({ code: 2, err: expect.stringMatching(/^usage:/) });
    expect(await cli(services.testId, "purge")).toMatchObject({ code: 2 });
  });

  it("runs as `npm run dead-letters`", () => {
    const run = spawnSync("npm", ["run", "--silent", "dead-letters", "--", "list"], {
      cwd: projectRoot,
      env: { ...process.env, NATS_NAMESPACE: services.testId },
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("No dead letters.");
    expect(run.status).toBe(0);
  });
});
