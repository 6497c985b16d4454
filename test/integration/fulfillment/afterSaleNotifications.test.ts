import { randomUUID } from "node:crypto";
import { connect } from "nats";
import { subjectFor } from "../../../subgraphs/common/events/streams";
import { graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder, type BuiltVariant } from "../../support/catalogBuilder";
import { address, placeOrder, placeOrderInput, waitForOrder } from "../../support/checkout";
import { createCarrier, fulfillmentCreate, postCarrierEvent, testCarrierSecret } from "../../support/fulfillment";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { SmtpTestServer } from "../../support/smtpTestServer";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const orderLines = `query($id: ID!) { order(id: $id) { id number status items { id quantity variant { id } } } }`;
const inApp = `query { me { notifications(first: 50, channel: IN_APP) { edges { node { kind subject body } } } } }`;

describe("after the sale, the customer is told: parcels with tracking, returns, refunds (through NATS)", () => {
  let smtp: SmtpTestServer;
  let services: TestServices<"products" | "inventory" | "orders" | "payments" | "notifications">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;
  let carrier: { id: string; code: string };

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
    services = await startServices(["products", "inventory", "orders", "payments", "notifications"], {
      settings: {
        orders: { CARRIER_WEBHOOK_SECRETS: `acme=${testCarrierSecret}`, CARRIER_WEBHOOK_TOLERANCE_SECONDS: "60" },
        notifications: {
          SMTP_URL: smtp.url,
          MAIL_FROM: "Commerce <no-reply@shop.test>",
          STOREFRONT_URL: "https://shop.test",
          NOTIFICATION_WORKER_INTERVAL_MS: "100",
        },
      },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
    carrier = await createCarrier(url, admin.accessToken);
  }, 400_000);

  afterAll(async () => {
    await services?.cleanUp();
    await smtp?.pause();
  });

  const db = () => services.notifications.runtime.db;
  const mailTo = (email: string, subject: RegExp) =>
    waitFor(() => smtp.to(email).find((mail) => subject.test(mail.subject ?? "")), `an email "${subject}" to ${email}`);
  const kindsOf = async (session: Session) =>
    (await graphqlData(url, inApp, { token: session.accessToken })).me.notifications.edges.map(
      (edge: { node: { kind: string } }) => edge.node.kind,
    ) as string[];

  /** A confirmed order of three units of one variant stocked at a location of its own. */
  async function confirmedOrder(customer: Session, quantity = 3) {
    const depot = await build.location(`Depot ${randomUUID().slice(0, 6)}`, 1);
    const product = await build.productWithVariants({
      name: "Rain Jacket",
      options: [{ name: "Size", values: ["M"] }],
      variants: [{ options: { Size: "M" }, price: "40.00", stock: { [depot.id]: 5 } }],
    });
    const variant = product.variants[0] as BuiltVariant;
    const placed = await placeOrder(url, customer.accessToken, placeOrderInput([{ variantId: variant.id, quantity }]));
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const { order } = await graphqlData(url, orderLines, { token: admin.accessToken, variables: { id: placed.id } });
    return { order, depot, lineId: order.items[0].id as string };
  }

  const ship = async (orderId: string, locationId: string, trackingNumber: string, lineId: string, quantity: number) =>
    (
      await graphqlData(url, fulfillmentCreate, {
        token: admin.accessToken,
        variables: {
          input: {
            orderId,
            locationId,
            carrierId: carrier.id,
            trackingNumber,
            lines: [{ orderItemId: lineId, quantity }],
          },
        },
      })
    ).fulfillmentCreate as { id: string; trackingNumber: string; trackingUrl: string };
  const track = async (trackingNumber: string, status: string) => {
    const response = await postCarrierEvent(services.orders.url, "acme", { trackingNumber, status });
    expect(response.body).toMatchObject({ outcome: "applied" });
  };

  it("tells each parcel as it ships (carrier, tracking link), goes out for delivery and arrives; once each, even redelivered", async () => {
    const customer = await registerCustomer(url);
    const email = customer.user.email;
    const { order, depot, lineId } = await confirmedOrder(customer);
    const first = await ship(order.id, depot.id, `A-${order.id.slice(0, 8)}`, lineId, 2);

    const shipped = await mailTo(email, new RegExp(`Order ${order.number} is on its way`));
    expect(shipped.text).toContain("A parcel of your order");
    expect(shipped.text).toContain("The rest follows separately.");
    expect(shipped.text).toContain("2 × Rain Jacket (M)");
    expect(shipped.text).toContain(`Carrier: Acme Parcels, tracking number: ${first.trackingNumber}`);
    expect(shipped.text).toContain(`Follow it: ${first.trackingUrl}`);
    expect(shipped.html).toContain(`<a href="${first.trackingUrl}">`);

    await track(first.trackingNumber, "IN_TRANSIT");
    await track(first.trackingNumber, "OUT_FOR_DELIVERY");
    const out = await mailTo(email, /out for delivery/);
    expect(out.text).toContain(first.trackingNumber);
    await track(first.trackingNumber, "DELIVERED");
    const arrived = await mailTo(email, /a parcel was delivered/);
    expect(arrived.text).toContain("The rest of the order is still on its way.");

    const second = await ship(order.id, depot.id, `B-${order.id.slice(0, 8)}`, lineId, 1);
    await waitFor(
      () =>
        smtp
          .to(email)
          .find((mail) => /is on its way/.test(mail.subject ?? "") && mail.text?.includes(second.trackingNumber)),
      "the second parcel's email",
    );
    await track(second.trackingNumber, "DELIVERED");
    // The last parcel's arrival is the order's own message.
    await mailTo(email, new RegExp(`Order ${order.number} delivered`));

    await waitFor(async () => ((await kindsOf(customer)).length === 7 ? true : undefined), "seven in-app messages");
    // Newest first; in transit is no news, and the order's SHIPPED status is told by its parcels.
    expect(await kindsOf(customer)).toEqual([
      "ORDER_DELIVERED",
      "PARCEL_SHIPPED",
      "PARCEL_DELIVERED",
      "PARCEL_OUT_FOR_DELIVERY",
      "PARCEL_SHIPPED",
      "ORDER_CONFIRMED",
      "WELCOME",
    ]);

    // The same `orders.fulfillment.created` delivered again makes nothing new.
    const outbox = await services.orders.runtime.db.outboxEvent.findFirstOrThrow({
      where: { type: "orders.fulfillment.created", envelope: { path: ["data", "fulfillmentId"], equals: first.id } },
    });
    const before = await db().notification.count({ where: { userId: customer.user.id } });
    const nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    try {
      await nats
        .jetstream()
        .publish(subjectFor(services.testId, "orders.fulfillment.created"), JSON.stringify(outbox.envelope), {
          msgID: randomUUID(),
        });
      await waitFor(async () => {
        const info = await (
          await nats.jetstreamManager()
        ).consumers.info(`${services.testId}_ORDERS`.toUpperCase(), "notifications__orders_fulfillment_created");
        return info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq > 0;
      }, "the redelivery to be handled");
    } finally {
      await nats.close();
    }
    expect(await db().notification.count({ where: { userId: customer.user.id } })).toBe(before);
    expect(smtp.to(email).filter((mail) => /is on its way/.test(mail.subject ?? ""))).toHaveLength(2);
  }, 300_000);

  it("tells a return approved (with its label), refused, received (with its refund), and a partial refund", async () => {
    const customer = await registerCustomer(url);
    const email = customer.user.email;
    const { order, depot, lineId } = await confirmedOrder(customer);
    await ship(order.id, depot.id, `C-${order.id.slice(0, 8)}`, lineId, 3);
    await graphqlData(url, `mutation($id: ID!) { markOrderDelivered(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: order.id },
    });
    const requestReturn = async (quantity: number, reason: string) =>
      (
        await graphqlData(url, `mutation($input: ReturnRequestInput!) { returnRequest(input: $input) { id } }`, {
          token: customer.accessToken,
          variables: { input: { orderId: order.id, reason, lines: [{ orderItemId: lineId, quantity }] } },
        })
      ).returnRequest.id as string;

    const refused = await requestReturn(1, "changed my mind");
    await graphqlData(url, `mutation($id: ID!) { returnReject(id: $id, reason: "Worn and washed") { id } }`, {
      token: admin.accessToken,
      variables: { id: refused },
    });
    const rejection = await mailTo(email, new RegExp(`Return for order ${order.number} declined`));
    expect(rejection.text).toContain("Reason: Worn and washed");

    const accepted = await requestReturn(1, "too small");
    await graphqlData(url, `mutation($id: ID!) { returnApprove(id: $id, labelReference: "RL-77") { id } }`, {
      token: admin.accessToken,
      variables: { id: accepted },
    });
    const approval = await mailTo(email, new RegExp(`Return for order ${order.number} approved`));
    expect(approval.text).toContain("return label RL-77");
    expect(approval.text).toContain("1 × Rain Jacket (M)");

    await graphqlData(url, `mutation($input: ReturnReceiveInput!) { returnReceive(input: $input) { id } }`, {
      token: admin.accessToken,
      variables: { input: { returnId: accepted, restock: true, locationId: depot.id } },
    });
    const received = await mailTo(email, new RegExp(`Return for order ${order.number} received`));
    expect(received.text).toContain("A refund of 40.00 USD is on its way to you.");
    // Payments refunds the return; the order learns it, and the customer is told.
    const returnRefund = await mailTo(email, new RegExp(`Order ${order.number}: refund of 40.00 USD`));
    expect(returnRefund.text).toContain("for your return");
    expect(returnRefund.text).toContain("Refunded so far: 40.00 USD");

    // A goodwill refund by the back office.
    await graphqlData(url, `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { id } }`, {
      token: admin.accessToken,
      variables: {
        input: { orderId: order.id, amount: "5.00", reason: "late delivery", idempotencyKey: randomUUID() },
      },
    });
    const goodwill = await mailTo(email, new RegExp(`Order ${order.number}: refund of 5.00 USD`));
    expect(goodwill.text).toContain("Reason: late delivery");
    expect(goodwill.text).toContain("Refunded so far: 45.00 USD");
    expect(goodwill.text).not.toContain("for your return");

    const kinds = await kindsOf(customer);
    for (const kind of ["RETURN_REJECTED", "RETURN_APPROVED", "RETURN_RECEIVED", "REFUND_ISSUED"])
      expect(kinds).toContain(kind);
    expect(kinds.filter((kind) => kind === "REFUND_ISSUED")).toHaveLength(2);
  }, 300_000);

  it("respects the customer's choices: no parcel email when they turned it off, the in-app message still there", async () => {
    const customer = await registerCustomer(url);
    await graphqlData(
      url,
      `mutation($input: NotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { email } }`,
      {
        token: customer.accessToken,
        variables: { input: { kinds: [{ kind: "PARCEL_SHIPPED", email: false }] } },
      },
    );
    const { order, depot, lineId } = await confirmedOrder(customer, 1);
    await ship(order.id, depot.id, `D-${order.id.slice(0, 8)}`, lineId, 1);
    const rows = await waitFor(async () => {
      const found = await db().notification.findMany({ where: { userId: customer.user.id, kind: "PARCEL_SHIPPED" } });
      return found.length === 4 ? found : undefined;
    }, "the parcel's notifications");
    const byChannel = Object.fromEntries(rows.map((row) => [row.channel, row.deliveryStatus]));
    expect(byChannel).toMatchObject({ IN_APP: "SENT", EMAIL: "SKIPPED" });
    expect(rows.find((row) => row.channel === "EMAIL")?.statusReason).toBe("the user's preferences say no");
  }, 300_000);

  it("mails a guest's parcel to the email the order was placed with", async () => {
    const depot = await build.location(`Guest depot ${randomUUID().slice(0, 6)}`, 1);
    const product = await build.productWithVariants({
      name: "Guest Scarf",
      options: [{ name: "Colour", values: ["Red"] }],
      variants: [{ options: { Colour: "Red" }, price: "15.00", stock: { [depot.id]: 2 } }],
    });
    const variant = product.variants[0] as BuiltVariant;
    const { cartCreate } = await graphqlData(url, `mutation { cartCreate { cartToken } }`);
    const cartToken = cartCreate.cartToken as string;
    await graphqlData(
      url,
      `mutation($cartToken: String, $lines: [CartLineInput!]!) { cartLinesAdd(cartToken: $cartToken, lines: $lines) { id } }`,
      { variables: { cartToken, lines: [{ variantId: variant.id, quantity: 1 }] } },
    );
    const guestEmail = `guest-${randomUUID().slice(0, 8)}@example.com`;
    const { placeGuestOrder } = await graphqlData(
      url,
      `mutation($input: PlaceGuestOrderInput!) { placeGuestOrder(input: $input) { id number } }`,
      {
        variables: {
          input: {
            cartToken,
            idempotencyKey: randomUUID(),
            email: guestEmail,
            shippingAddress: address,
            paymentToken: "tok_visa",
          },
        },
      },
    );
    await waitFor(async () => {
      const { order } = await graphqlData(url, orderLines, {
        token: admin.accessToken,
        variables: { id: placeGuestOrder.id },
      });
      return order.status === "CONFIRMED" ? true : undefined;
    }, "the guest order CONFIRMED");
    const { order } = await graphqlData(url, orderLines, {
      token: admin.accessToken,
      variables: { id: placeGuestOrder.id },
    });
    const parcel = await ship(order.id, depot.id, `G-${order.id.slice(0, 8)}`, order.items[0].id, 1);
    const mail = await mailTo(guestEmail, new RegExp(`Order ${order.number} is on its way`));
    expect(mail.text).toContain(parcel.trackingUrl);
  }, 300_000);
});
