import { graphql, graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { RecordingTransport } from "../../support/recordingTransport";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const templateFields = `kind channel subject text html customized version updatedAt updatedBy { id }
  variables { name list }`;
const listTemplates = `query NotificationTemplates($kind: NotificationKind, $channel: NotificationChannel) {
  notificationTemplates(kind: $kind, channel: $channel) { kind channel customized version } }`;
const getTemplate = `query NotificationTemplate($kind: NotificationKind!, $channel: NotificationChannel!) {
  notificationTemplate(kind: $kind, channel: $channel) { ${templateFields}
    versions(first: 10) { totalCount edges { node { version change subject text html changedBy { id } changedAt } } } } }`;
const update = `mutation UpdateNotificationTemplate($input: UpdateNotificationTemplateInput!) {
  updateNotificationTemplate(input: $input) { ${templateFields} } }`;
const reset = `mutation ResetNotificationTemplate($kind: NotificationKind!, $channel: NotificationChannel!, $expectedVersion: Int) {
  resetNotificationTemplate(kind: $kind, channel: $channel, expectedVersion: $expectedVersion) { ${templateFields} } }`;
const preview = `query NotificationTemplatePreview($kind: NotificationKind!, $channel: NotificationChannel!, $draft: NotificationTemplateInput) {
  notificationTemplatePreview(kind: $kind, channel: $channel, draft: $draft) { subject text html } }`;

const placeholder = "[link sent by email, not kept]";

describe("notification templates edited in the back office", () => {
  const emails = new RecordingTransport();
  let services: TestServices<"notifications">;
  let url: string;
  let admin: Session;

  beforeAll(async () => {
    services = await startServices(["notifications"], {
      notificationTransports: { EMAIL: emails, SMS: new RecordingTransport(), PUSH: new RecordingTransport() },
      settings: { notifications: { STOREFRONT_URL: "https://shop.test", NOTIFICATION_WORKER_INTERVAL_MS: "100" } },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
  });

  afterAll(async () => {
    await services?.cleanUp();
  });

  const db = () => services.notifications.runtime.db;
  const as = (session: Session) => ({ token: session.accessToken });
  const mailTo = (address: string, subject: RegExp) =>
    waitFor(() => emails.to(address).find((mail) => subject.test(mail.subject)), `an email "${subject}" to ${address}`);

  it("lists every kind on every channel, the code's defaults, to admins only", async () => {
    const { notificationTemplates } = await graphqlData(url, listTemplates, as(admin));
    expect(notificationTemplates).toHaveLength(21 * 4);
    expect(
      notificationTemplates.every(
        (each: { customized: boolean; version: number }) => !each.customized && each.version === 0,
      ),
    ).toBe(true);
    const { notificationTemplate } = await graphqlData(url, getTemplate, {
      ...as(admin),
      variables: { kind: "ORDER_SHIPPED", channel: "EMAIL" },
    });
    expect(notificationTemplate).toMatchObject({ subject: "Order {{order.number}} is on its way", updatedBy: null });
    expect(notificationTemplate.variables).toContainEqual({ name: "order.lines", list: true });
    expect(notificationTemplate.versions.totalCount).toBe(0);

    const customer = await registerCustomer(url);
    const forbidden = await graphql(url, listTemplates, as(customer));
    expect(forbidden.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const anonymous = await graphql(url, preview, { variables: { kind: "WELCOME", channel: "EMAIL" } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("uses an edited template for new messages, escaping values, with the secret link put in only as it is sent", async () => {
    const html = `<h1>Hi {{name}}!</h1>{{#verification}}<p><a href="{{link}}">Verify</a> before {{until}}</p>{{/verification}}`;
    const text = "Hi {{name}}!{{#verification}} Verify: {{link}}{{/verification}}";
    const { updateNotificationTemplate: saved } = await graphqlData(url, update, {
      ...as(admin),
      variables: {
        input: { kind: "WELCOME", channel: "EMAIL", subject: "Hello {{name}}", text, html, expectedVersion: 0 },
      },
    });
    expect(saved).toMatchObject({ customized: true, version: 1, text, html, updatedBy: { id: admin.user.id } });

    const customer = await registerCustomer(url, { name: "<b>Eve</b> & co" });
    const mail = await mailTo(customer.user.email, /^Hello/);
    expect(mail.subject).toBe("Hello <b>Eve</b> & co");
    expect(mail.html).toContain("<h1>Hi &lt;b&gt;Eve&lt;/b&gt; &amp; co!</h1>");
    const link = /href="(https:\/\/shop\.test\/verify-email\?token=[\w-]{43})"/.exec(mail.html ?? "")?.[1];
    expect(link).toBeDefined();
    expect(mail.text).toBe(`Hi <b>Eve</b> & co! Verify: ${link}`);
    // The stored copy keeps the placeholder, and the link's token verifies the email.
    const stored = await db().notification.findFirstOrThrow({ where: { userId: customer.user.id, channel: "EMAIL" } });
    expect(stored.body).toContain(placeholder);
    expect(stored.body).not.toContain(link!);
    const token = new URL(link!).searchParams.get("token");
    expect(
      (await graphqlData(url, `mutation($token: String!) { verifyEmail(token: $token) }`, { variables: { token } }))
        .verifyEmail,
    ).toBe(true);
  });

  it("keeps every version with who and when, refuses a stale save, and goes back to the default", async () => {
    const key = { kind: "ORDER_DELIVERED", channel: "SMS" };
    const first = await graphqlData(url, update, {
      ...as(admin),
      variables: { input: { ...key, subject: "Delivered", text: "{{order.number}} arrived." } },
    });
    expect(first.updateNotificationTemplate.version).toBe(1);
    await graphqlData(url, update, {
      ...as(admin),
      variables: {
        input: { ...key, subject: "Delivered", text: "{{order.number}} is at your door.", expectedVersion: 1 },
      },
    });
    const stale = await graphql(url, update, {
      ...as(admin),
      variables: { input: { ...key, subject: "Late", text: "an edit from an old page", expectedVersion: 1 } },
    });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "expectedVersion" });
    const { resetNotificationTemplate } = await graphqlData(url, reset, {
      ...as(admin),
      variables: { ...key, expectedVersion: 2 },
    });
    expect(resetNotificationTemplate).toMatchObject({
      customized: false,
      version: 3,
      text: "Your order {{order.number}} was delivered. Enjoy!",
    });
    const { notificationTemplate } = await graphqlData(url, getTemplate, { ...as(admin), variables: key });
    expect(notificationTemplate.versions.totalCount).toBe(3);
    expect(
      notificationTemplate.versions.edges.map(
        (edge: { node: { version: number; change: string; text: string | null } }) => [
          edge.node.version,
          edge.node.change,
          edge.node.text,
        ],
      ),
    ).toEqual([
      [3, "RESET", null],
      [2, "SAVED", "{{order.number}} is at your door."],
      [1, "SAVED", "{{order.number}} arrived."],
    ]);
    for (const edge of notificationTemplate.versions.edges) {
      expect(edge.node.changedBy).toEqual({ id: admin.user.id });
      expect(new Date(edge.node.changedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it("refuses a broken template at save time, naming the field, and saves nothing", async () => {
    const key = { kind: "ORDER_SHIPPED", channel: "EMAIL" };
    const good = { subject: "Shipped {{order.number}}", text: "{{order.number}}", html: "<p>{{order.number}}</p>" };
    const attempts: Array<[Record<string, string>, string, RegExp]> = [
      [{ html: "<p>{{order.carrier}}</p>" }, "html", /`order\.carrier` is not a value/],
      [{ text: "{{#order.lines}}{{name}}" }, "text", /never closed/],
      [{ text: "{{#order.shipment}}{{carrier}}{{/order.lines}}" }, "text", /does not close/],
      [{ html: "<p>{{{order.number}}}</p>" }, "html", /raw output/],
      [{ subject: "{{order.total" }, "subject", /never closed by/],
    ];
    for (const [change, field, message] of attempts) {
      const result = await graphql(url, update, { ...as(admin), variables: { input: { ...key, ...good, ...change } } });
      expect([field, result.errors?.[0]?.extensions]).toEqual([
        field,
        expect.objectContaining({ code: "BAD_USER_INPUT", field }),
      ]);
      expect(result.errors?.[0]?.message).toMatch(message);
    }
    const withoutLink = await graphql(url, update, {
      ...as(admin),
      variables: {
        input: {
          kind: "PASSWORD_RESET",
          channel: "EMAIL",
          subject: "Reset",
          text: "Hi {{name}}",
          html: "<p>{{link}}</p>",
        },
      },
    });
    expect(withoutLink.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "text" });
    expect(
      await db().notificationTemplateVersion.count({ where: { kind: { in: ["ORDER_SHIPPED", "PASSWORD_RESET"] } } }),
    ).toBe(0);
  });

  it("previews from sample values, showing a secret only as its placeholder", async () => {
    const { notificationTemplatePreview: resetMail } = await graphqlData(url, preview, {
      ...as(admin),
      variables: { kind: "PASSWORD_RESET", channel: "EMAIL" },
    });
    expect(resetMail.text).toContain(`Hello Ada Lovelace,`);
    expect(resetMail.text).toContain(placeholder);
    expect(resetMail.html).toContain(`href="${placeholder}"`);

    const draft = {
      subject: "{{order.number}}",
      text: "{{#order.lines}}{{quantity}}×{{name}};{{/order.lines}}",
      html: "<ul>{{#order.lines}}<li>{{name}}</li>{{/order.lines}}</ul>",
    };
    const { notificationTemplatePreview: drafted } = await graphqlData(url, preview, {
      ...as(admin),
      variables: { kind: "ORDER_SHIPPED", channel: "EMAIL", draft },
    });
    expect(drafted).toEqual({
      subject: "K7M-4PQ2X",
      text: "2×Desk Lamp;1×Bulb <E27>;",
      html: "<ul><li>Desk Lamp</li><li>Bulb &lt;E27&gt;</li></ul>",
    });
    const broken = await graphql(url, preview, {
      ...as(admin),
      variables: { kind: "ORDER_SHIPPED", channel: "EMAIL", draft: { ...draft, html: "{{#order.lines}}" } },
    });
    expect(broken.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "draft.html" });
  });

  it("sends a password reset through an edited template with a working link", async () => {
    await graphqlData(url, update, {
      ...as(admin),
      variables: {
        input: {
          kind: "PASSWORD_RESET",
          channel: "EMAIL",
          subject: "New password for {{name}}",
          text: "Choose it here: {{link}} (until {{until}})",
          html: '<a href="{{link}}">Choose a new password</a>',
        },
      },
    });
    const customer = await registerCustomer(url);
    await graphqlData(url, `mutation($email: String!) { requestPasswordReset(email: $email) }`, {
      variables: { email: customer.user.email },
    });
    const mail = await mailTo(customer.user.email, /^New password for/);
    const token = /https:\/\/shop\.test\/reset-password\?token=([\w-]{43}) \(until/.exec(mail.text)?.[1];
    expect(token).toBeDefined();
    expect(mail.html).toContain(`href="https://shop.test/reset-password?token=${token}"`);
    await graphqlData(url, `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`, {
      variables: { input: { token, newPassword: "a brand new password" } },
    });
    const stored = await db().notification.findFirstOrThrow({
      where: { userId: customer.user.id, kind: "PASSWORD_RESET", channel: "EMAIL" },
    });
    expect(`${stored.body}${stored.html}`).not.toContain(token!);
    expect(stored.sealedSecret).toBeNull();
  });
});
