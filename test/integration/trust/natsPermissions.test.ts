import { randomUUID } from "node:crypto";
import { connect, type NatsConnection } from "nats";
import { authorizationBlock, operatorUser } from "../../../scripts/nats/authorization";
import { deadLetterSubject, streamFor, subjectFor } from "../../../subgraphs/common/events/streams";
import { graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer } from "../../support/identity";
import { PrivateNats } from "../../support/privateNats";
import { startServices, type TestServices } from "../../support/testServices";
import { newTestId } from "../../support/testNames";
import { waitFor } from "../../support/waitFor";

const passwordOf = (user: string) => `${user}-password-${randomUUID()}`;

describe("NATS with credentials: each service publishes only its own subjects", () => {
  const passwords = new Map<string, string>();
  const password = (user: string) => {
    if (!passwords.has(user)) passwords.set(user, passwordOf(user));
    return passwords.get(user)!;
  };
  let nats: PrivateNats;
  let services: TestServices<"products" | "inventory">;
  let operator: NatsConnection;
  let namespace: string;

  const as = (user: string) => ({ NATS_URL: nats.url, NATS_USER: user, NATS_PASSWORD: password(user) });

  beforeAll(async () => {
    // The services' streams and subjects are named after the test; the permissions must match them.
    namespace = newTestId();
    nats = await PrivateNats.start({ configuration: authorizationBlock(namespace, password) });
    services = await startServices(["products", "inventory"], {
      router: false,
      common: { NATS_NAMESPACE: namespace },
      settings: { users: as("users"), products: as("products"), inventory: as("inventory") },
    });
    operator = await connect({ servers: nats.url, user: operatorUser, pass: password(operatorUser) });
  });

  afterAll(async () => {
    await operator?.close();
    await services?.cleanUp();
    await nats?.destroy();
  });

  /** Messages stored in the stream of an event type. */
  const stored = async (type: Parameters<typeof streamFor>[1]) =>
    (await (await operator.jetstreamManager()).streams.info(streamFor(namespace, type))).state.messages;

  it("lets each service publish its own events and consume others' with its credentials", async () => {
    await registerCustomer(services.users.url);
    await waitFor(async () => (await stored("users.user.registered")) > 0, "the users event in its stream");
    const admin = await loginAdmin(services.users.url);
    const { createProduct } = await graphqlData(
      services.products.url,
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      {
        token: admin.accessToken,
        variables: { input: { sku: `N-${randomUUID()}`, name: "Permitted", price: "1.00" } },
      },
    );
    await waitFor(async () => (await stored("catalog.product.created")) > 0, "the catalog event in its stream");
    // Inventory learns of the product (its consumer, or its signed lookup), then publishes a stock change ...
    await graphqlData(
      services.inventory.url,
      `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { onHand } }`,
      { token: admin.accessToken, variables: { input: { productId: createProduct.id, delta: 5, reason: "delivery" } } },
    );
    // ... which products consumes and acknowledges with its own credentials.
    const jsm = await operator.jetstreamManager();
    await waitFor(
      async () =>
        (await jsm.consumers.info(streamFor(namespace, "inventory.stock.changed"), "products__inventory_stock_changed"))
          .ack_floor.stream_seq > 0,
      "products to acknowledge the stock change",
    );
  });

  it("refuses a service that publishes another service's subject or dead letter", async () => {
    const users = await connect({ servers: nats.url, user: "users", pass: password("users") });
    try {
      const orderPlaced = subjectFor(namespace, "orders.order.placed");
      const forged = { id: randomUUID(), type: "orders.order.placed", source: "orders", data: {} };
      await expect(users.jetstream().publish(orderPlaced, JSON.stringify(forged))).rejects.toThrow(
        `Permissions Violation for Publish to "${orderPlaced}"`,
      );
      const othersDeadLetter = deadLetterSubject(namespace, "orders__payments_payment_captured");
      await expect(users.request(othersDeadLetter, "{}", { timeout: 2000 })).rejects.toThrow(
        `Permissions Violation for Publish to "${othersDeadLetter}"`,
      );
      expect(await stored("orders.order.placed")).toBe(0);
    } finally {
      await users.close();
    }
  });

  it("refuses a connection with a wrong password", async () => {
    await expect(connect({ servers: nats.url, user: "users", pass: "not-the-password" })).rejects.toThrow(
      /authorization/i,
    );
  });
});
