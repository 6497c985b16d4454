import { randomUUID } from "node:crypto";
import { connect } from "nats";
import { subjectFor } from "../../../subgraphs/common/events/streams";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { confirmPhoneNumber } from "../../support/contactChannels";
import { placeOrder, placeOrderInput, waitForOrder } from "../../support/checkout";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { NatsTap } from "../../support/natsTap";
import { RecordingTransport } from "../../support/recordingTransport";
import { SmtpTestServer } from "../../support/smtpTestServer";
import { startServices, type TestServices } from "../../support/testServices";
import { testAdmin } from "../../support/testSubgraph";
import { waitFor } from "../../support/waitFor";

const myNotifications = `query($first: Int, $after: String, $unreadOnly: Boolean, $channel: NotificationChannel) {
  me { id notifications(first: $first, after: $after, unreadOnly: $unreadOnly, channel: $channel) {
    totalCount unreadCount pageInfo { hasNextPage endCursor }
    edges { node { id channel kind subject body read deliveryStatus createdAt } } } } }`;

describe("notifications: events become in-app messages and real email", () => {
  let smtp: SmtpTestServer;
  let services: TestServices<"products" | "inventory" | "orders" | "payments" | "notifications">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;
  const texts = new RecordingTransport();
  const pushes = new RecordingTransport();

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
    services = await startServices(["products", "inventory", "orders", "payments", "notifications"], {
      notificationTransports: { SMS: texts, PUSH: pushes },
      settings: {
        notifications: {
          SMTP_URL: smtp.url,
          MAIL_FROM: "Commerce <no-reply@shop.test>",
          STOREFRONT_URL: "https://shop.test",
          NOTIFICATION_RETRY_BASE_MS: "150",
          NOTIFICATION_RETRY_MAX_MS: "600",
          NOTIFICATION_MAX_ATTEMPTS: "6",
          NOTIFICATION_WORKER_INTERVAL_MS: "100",
        },
      },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
  }, 400_000);

  afterAll(async () => {
    await services?.cleanUp();
    await smtp?.pause();
  });

  const db = () => services.notifications.runtime.db;
  const mailTo = (address: string, subject: RegExp) =>
    waitFor(
      () => smtp.to(address).find((mail) => subject.test(mail.subject ?? "")),
      `an email "${subject}" to ${address}`,
    );

  it("welcomes a new customer by email over SMTP, and in the app", async () => {
    const customer = await registerCustomer(url, { name: "Grace <Admiral> Hopper" });
    const mail = await mailTo(customer.user.email, /^Welcome/);
    expect(mail.subject).toBe("Welcome, Grace <Admiral> Hopper");
    expect(mail.from?.value[0]).toMatchObject({ name: "Commerce", address: "no-reply@shop.test" });
    expect(mail.text).toContain("your account is ready");
    expect(mail.html).toContain("Grace &lt;Admiral&gt; Hopper");
    // It carries the link that verifies the address; the stored copy says a link was sent.
    expect(mail.text).toMatch(/https:\/\/shop\.test\/verify-email\?token=[\w-]{43}/);
    const { me } = await graphqlData(url, myNotifications, {
      token: customer.accessToken,
      variables: { channel: "IN_APP" },
    });
    expect(me.notifications.edges.map((edge: { node: { kind: string } }) => edge.node.kind)).toEqual(["WELCOME"]);
    await waitFor(
      async () =>
        (await db().notification.findFirst({ where: { userId: customer.user.id, channel: "EMAIL" } }))
          ?.deliveryStatus === "SENT",
      "the email marked SENT",
    );
    // The email's Message-ID is its notification's: sent again, it would be recognisable as a repeat.
    const email = await db().notification.findFirstOrThrow({ where: { userId: customer.user.id, channel: "EMAIL" } });
    expect(mail.messageId).toBe(`<${email.id}@shop.test>`);
  });

  it("mails a password reset link; the token is in that email only, never in an event or a stored copy", async () => {
    const customer = await registerCustomer(url);
    const tap = await NatsTap.open(`${services.testId}.users.password_reset.requested`);
    await graphqlData(url, `mutation($email: String!) { requestPasswordReset(email: $email) }`, {
      variables: { email: customer.user.email },
    });
    const mail = await mailTo(customer.user.email, /Reset your password/);
    const token = /https:\/\/shop\.test\/reset-password\?token=([\w-]{43})\b/.exec(mail.text ?? "")?.[1];
    expect(token).toBeDefined();
    expect(mail.html).toContain(`href="https://shop.test/reset-password?token=${token}"`);
    await waitFor(() => tap.received.length > 0, "the reset event");
    expect(JSON.stringify(tap.received)).not.toContain(token);
    const { me } = await graphqlData(url, myNotifications, { token: customer.accessToken });
    const resets = me.notifications.edges.filter(
      (edge: { node: { kind: string } }) => edge.node.kind === "PASSWORD_RESET",
    );
    expect(resets.map((edge: { node: { channel: string } }) => edge.node.channel).sort()).toEqual([
      "EMAIL",
      "IN_APP",
      "PUSH",
      "SMS",
    ]);
    expect(JSON.stringify(resets)).not.toContain(token);
    const email = resets.find((edge: { node: { channel: string } }) => edge.node.channel === "EMAIL").node;
    expect(email.body).toContain("[link sent by email, not kept]");
    await waitFor(async () => {
      const stored = await db().notification.findFirst({
        where: { userId: customer.user.id, kind: "PASSWORD_RESET", channel: "EMAIL" },
      });
      return stored?.deliveryStatus === "SENT" && stored.sealedSecret === null;
    }, "the sent email to forget its sealed link");
    const rows = await db().notification.findMany({ where: { userId: customer.user.id } });
    expect(JSON.stringify(rows)).not.toContain(token);
    await tap.close();
  });

  it("tells the customer of their order: confirmed (with lines and totals), shipped (with tracking), delivered", async () => {
    const customer = await registerCustomer(url, { name: "Ada" });
    const product = await build.product({ name: "Analytical Engine", price: "1843.00", stock: 3 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 2 }]),
    );
    const order = await waitForOrder(
      url,
      customer.accessToken,
      placed.id,
      (each) => each.status === "CONFIRMED",
      "CONFIRMED",
    );
    const confirmed = await mailTo(customer.user.email, new RegExp(`Order ${order.number} confirmed`));
    expect(confirmed.text).toContain("2 × Analytical Engine at 1843.00 USD");
    expect(confirmed.text).toContain("Total: 3686.00 USD");
    await graphqlData(url, `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
      token: admin.accessToken,
      variables: { input: { orderId: order.id, carrier: "DHL", trackingNumber: "JD014600006281" } },
    });
    const shipped = await mailTo(customer.user.email, /is on its way/);
    expect(shipped.text).toContain("JD014600006281");
    expect(shipped.html).toContain("JD014600006281");
    await graphqlData(url, `mutation($id: ID!) { markOrderDelivered(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: order.id },
    });
    await mailTo(customer.user.email, /delivered/);

    // The inbox: newest first, paginated, with the unread count.
    const inbox = async (variables: Record<string, unknown>) =>
      (
        await graphqlData(url, myNotifications, {
          token: customer.accessToken,
          variables: { channel: "IN_APP", ...variables },
        })
      ).me.notifications;
    const firstPage = await inbox({ first: 2 });
    expect(firstPage.totalCount).toBe(4);
    expect(firstPage.unreadCount).toBe(4);
    expect(firstPage.edges.map((edge: { node: { kind: string } }) => edge.node.kind)).toEqual([
      "ORDER_DELIVERED",
      // The order left in one parcel: the parcel's message (with its tracking) tells it.
      "PARCEL_SHIPPED",
    ]);
    const secondPage = await inbox({ first: 2, after: firstPage.pageInfo.endCursor });
    expect(secondPage.edges.map((edge: { node: { kind: string } }) => edge.node.kind)).toEqual([
      "ORDER_CONFIRMED",
      "WELCOME",
    ]);
    expect(secondPage.pageInfo.hasNextPage).toBe(false);

    const shippedNote = firstPage.edges[1].node;
    const read = await graphqlData(url, `mutation($id: ID!) { markNotificationRead(id: $id) { id read } }`, {
      token: customer.accessToken,
      variables: { id: shippedNote.id },
    });
    expect(read.markNotificationRead).toEqual({ id: shippedNote.id, read: true });
    expect((await inbox({})).unreadCount).toBe(3);
    expect(
      (await inbox({ unreadOnly: true })).edges.map((edge: { node: { id: string } }) => edge.node.id),
    ).not.toContain(shippedNote.id);
    const stranger = await registerCustomer(url);
    const foreign = await graphql(
      url,
      `
        mutation ($id: ID!) {
          markNotificationRead(id: $id) {
            id
          }
        }
      `,
      { token: stranger.accessToken, variables: { id: shippedNote.id } },
    );
    expect(foreign.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const otherUsers = await graphql(
      url,
      `
        query ($id: ID!) {
          user(id: $id) {
            id
          }
        }
      `,
      { token: stranger.accessToken, variables: { id: customer.user.id } },
    );
    expect(otherUsers.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("tells the customer why an order was cancelled, and of a full refund", async () => {
    const customer = await registerCustomer(url);
    const product = await build.product({ name: "Refund Me", price: "12.00", stock: 2 });
    const declined = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }], "tok_declined"),
    );
    const cancelled = await waitForOrder(
      url,
      customer.accessToken,
      declined.id,
      (each) => each.status === "CANCELLED",
      "CANCELLED",
    );
    expect((await mailTo(customer.user.email, new RegExp(`Order ${cancelled.number} cancelled`))).text).toContain(
      "the payment was declined",
    );
    const paid = await placeOrder(url, customer.accessToken, placeOrderInput([{ productId: product.id, quantity: 1 }]));
    const confirmed = await waitForOrder(
      url,
      customer.accessToken,
      paid.id,
      (each) => each.status === "CONFIRMED",
      "CONFIRMED",
    );
    await graphqlData(url, `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { id } }`, {
      token: admin.accessToken,
      variables: { input: { orderId: paid.id } },
    });
    expect((await mailTo(customer.user.email, new RegExp(`Order ${confirmed.number} refunded`))).text).toContain(
      "refunded in full: 12.00 USD",
    );
  });

  it("respects preferences: defaults, then no email and SMS instead; skipped messages say so", async () => {
    const customer = await registerCustomer(url);
    // Texts go only to a confirmed mobile number.
    await confirmPhoneNumber(services, url, customer, "+1 (415) 555-0101");
    await waitFor(
      async () =>
        (await db().knownUser.findUnique({ where: { userId: customer.user.id } }))?.phoneNumber === "+14155550101",
      "the notifications service to know the number",
    );
    const preferences = `query { me { id notificationPreferences { email sms push orderUpdates marketing } } }`;
    expect((await graphqlData(url, preferences, { token: customer.accessToken })).me.notificationPreferences).toEqual({
      email: true,
      sms: false,
      push: false,
      orderUpdates: true,
      marketing: false,
    });
    const { updateNotificationPreferences } = await graphqlData(
      url,
      `mutation($input: NotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { email sms push orderUpdates marketing } }`,
      { token: customer.accessToken, variables: { input: { email: false, sms: true } } },
    );
    expect(updateNotificationPreferences).toEqual({
      email: false,
      sms: true,
      push: false,
      orderUpdates: true,
      marketing: false,
    });
    const product = await build.product({ name: "Quiet Order", price: "1.00", stock: 1 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (each) => each.status === "CONFIRMED", "CONFIRMED");
    const byChannel = await waitFor(async () => {
      const rows = await db().notification.findMany({ where: { userId: customer.user.id, kind: "ORDER_CONFIRMED" } });
      return rows.length === 4 && rows.every((row) => row.deliveryStatus !== "PENDING")
        ? Object.fromEntries(rows.map((row) => [row.channel, row.deliveryStatus]))
        : undefined;
    }, "the order's notifications to settle");
    expect(byChannel).toEqual({ IN_APP: "SENT", EMAIL: "SKIPPED", SMS: "SENT", PUSH: "SKIPPED" });
    expect(smtp.to(customer.user.email).filter((mail) => /confirmed/.test(mail.subject ?? ""))).toEqual([]);
    const text = await db().notification.findFirstOrThrow({
      where: { userId: customer.user.id, kind: "ORDER_CONFIRMED", channel: "SMS" },
    });
    expect(text.recipient).toBe("+14155550101");
    const email = await db().notification.findFirstOrThrow({
      where: { userId: customer.user.id, kind: "ORDER_CONFIRMED", channel: "EMAIL" },
    });
    expect(email.statusReason).toBe("the user's preferences say no");
  });

  it("sends texts and pushes only to a confirmed number and registered devices, as each kind's choices allow", async () => {
    const customer = await registerCustomer(url);
    const token = customer.accessToken;
    const preferencesFields = "sms push kinds { kind email sms push }";
    const invalid = await graphql(
      url,
      `
        mutation ($input: NotificationPreferencesInput!) {
          updateNotificationPreferences(input: $input) {
            sms
          }
        }
      `,
      { token, variables: { input: { kinds: [{ kind: "PASSWORD_RESET", email: false }] } } },
    );
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "kinds.0.kind" });
    const { updateNotificationPreferences: saved } = await graphqlData(
      url,
      `mutation($input: NotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { ${preferencesFields} } }`,
      { token, variables: { input: { sms: true, push: true, kinds: [{ kind: "ORDER_CONFIRMED", push: false }] } } },
    );
    expect(saved.kinds).toHaveLength(16);
    expect(saved.kinds.find((each: { kind: string }) => each.kind === "ORDER_CONFIRMED")).toEqual({
      kind: "ORDER_CONFIRMED",
      email: true,
      sms: true,
      push: false,
    });
    expect(saved.kinds.find((each: { kind: string }) => each.kind === "ORDER_CANCELLED")).toMatchObject({ push: true });
    const deviceTokens = [`push-token-${customer.user.id}-phone`, `push-token-${customer.user.id}-tablet`];
    for (const deviceToken of deviceTokens) {
      await graphqlData(
        url,
        `mutation($input: RegisterPushDeviceInput!) { registerPushDevice(input: $input) { id } }`,
        { token, variables: { input: { token: deviceToken, platform: "ANDROID" } } },
      );
    }
    await waitFor(
      async () => (await db().knownPushDevice.count({ where: { userId: customer.user.id } })) === 2,
      "the notifications service to know the devices",
    );

    const product = await build.product({ name: "Pushed Order", price: "2.00", stock: 1 });
    const placed = await placeOrder(url, token, placeOrderInput([{ productId: product.id, quantity: 1 }]));
    await waitForOrder(url, token, placed.id, (each) => each.status === "CONFIRMED", "CONFIRMED");
    await graphqlData(url, `mutation($id: ID!) { cancelOrder(id: $id, reason: "changed my mind") { id } }`, {
      token,
      variables: { id: placed.id },
    });
    const settledOf = (kind: string) =>
      waitFor(async () => {
        const rows = await db().notification.findMany({ where: { userId: customer.user.id, kind } });
        return rows.length === 4 && rows.every((row) => row.deliveryStatus !== "PENDING")
          ? Object.fromEntries(rows.map((row) => [row.channel, [row.deliveryStatus, row.statusReason, row.recipient]]))
          : undefined;
      }, `the ${kind} notifications to settle`);
    const confirmed = await settledOf("ORDER_CONFIRMED");
    expect(confirmed.SMS).toEqual(["SKIPPED", "the user has no confirmed mobile number", null]);
    expect(confirmed.PUSH).toEqual(["SKIPPED", "the user's preferences say no", null]);
    const cancelled = await settledOf("ORDER_CANCELLED");
    expect(cancelled.SMS).toEqual(["SKIPPED", "the user has no confirmed mobile number", null]);
    expect(cancelled.PUSH).toEqual(["SENT", null, "2 push device(s)"]);
    const pushed = pushes.sent.filter(
      (message) => /cancelled/.test(message.subject) && message.text.includes(placed.number),
    );
    expect(pushed.map((message) => message.recipient).sort()).toEqual([...deviceTokens].sort());
    // Nothing of this customer's ever went by text, nor by push or text to their email address.
    expect(texts.sent.filter((message) => message.text.includes(placed.number))).toEqual([]);
    expect([...texts.sent, ...pushes.sent].map((message) => message.recipient)).not.toContain(customer.user.email);
  });

  it("alerts every admin when stock runs low", async () => {
    // The alert goes to the admins notifications has heard of (users' events) when the stock runs low.
    await waitFor(
      () => db().knownUser.findFirst({ where: { email: testAdmin.email, isAdmin: true } }),
      "notifications to know the admin",
    );
    const product = await build.product({ name: "Running Low", price: "1.00" });
    await build.adjustStock(product.id, 3, { lowStockThreshold: 5 });
    const mail = await mailTo(testAdmin.email, /Low stock: Running Low/);
    expect(mail.text).toContain("down to 3 available");
  });

  it("keeps a message while the SMTP server is down and delivers it once it is back", async () => {
    await smtp.pause();
    let customer: Session;
    try {
      customer = await registerCustomer(url);
      await waitFor(
        async () =>
          ((await db().notification.findFirst({ where: { userId: customer.user.id, channel: "EMAIL" } }))?.attempts ??
            0) >= 2,
        "failed attempts",
      );
      const pending = await db().notification.findFirstOrThrow({
        where: { userId: customer.user.id, channel: "EMAIL" },
      });
      expect(pending.deliveryStatus).toBe("PENDING");
      expect(pending.statusReason).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await smtp.resume();
    }
    await mailTo(customer!.user.email, /^Welcome/);
    // The worker records the send once the SMTP server has answered: the mail may arrive first.
    const sent = await waitFor(async () => {
      const row = await db().notification.findFirst({ where: { userId: customer!.user.id, channel: "EMAIL" } });
      return row?.deliveryStatus === "SENT" ? row : undefined;
    }, "the email marked SENT");
    expect(sent.attempts).toBeGreaterThan(2);
  });

  it("marks a message FAILED after its last retry", async () => {
    await smtp.pause();
    try {
      const customer = await registerCustomer(url);
      const failed = await waitFor(
        async () => {
          const row = await db().notification.findFirst({ where: { userId: customer.user.id, channel: "EMAIL" } });
          return row?.deliveryStatus === "FAILED" ? row : undefined;
        },
        "the message to fail for good",
        15_000,
      );
      expect(failed.attempts).toBe(6);
      expect(failed.nextAttemptAt).toBeNull();
      // The welcome's verification link, sealed, is wiped once the email is given up.
      expect(failed.sealedSecret).toBeNull();
    } finally {
      await smtp.resume();
    }
  });

  it("never makes a second notification for a redelivered event", async () => {
    const customer = await registerCustomer(url);
    await mailTo(customer.user.email, /^Welcome/);
    await waitFor(
      async () => (await db().notification.count({ where: { userId: customer.user.id } })) === 4,
      "the welcome notifications",
    );
    const outbox = await services.users.runtime.db.outboxEvent.findFirstOrThrow({
      where: { type: "users.user.registered", envelope: { path: ["data", "userId"], equals: customer.user.id } },
    });
    const nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    await nats
      .jetstream()
      .publish(subjectFor(services.testId, "users.user.registered"), JSON.stringify(outbox.envelope), {
        msgID: randomUUID(),
      });
    await waitFor(async () => {
      const info = await (
        await nats.jetstreamManager()
      ).consumers.info(`${services.testId}_USERS`.toUpperCase(), "notifications__users_user_registered");
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, "the redelivery to be handled");
    await nats.close();
    expect(await db().notification.count({ where: { userId: customer.user.id } })).toBe(4);
    expect(smtp.to(customer.user.email).filter((mail) => /^Welcome/.test(mail.subject ?? ""))).toHaveLength(1);
  });
});
