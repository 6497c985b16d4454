import { connect } from "nats";
import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { routerEnvironment, startRouter, type RunningRouter } from "../../../router";
import { parseEnvironment } from "../../../subgraphs/common/environment";
import { subjectFor } from "../../../subgraphs/common/events/streams";
import type { Logger } from "../../../subgraphs/common/logger";
import { SecretSealer } from "../../../subgraphs/common/secrets/sealedSecrets";
import { startSubgraph, type RunningSubgraph } from "../../../subgraphs/common/server/startSubgraph";
import type { BaseContext, SubgraphDefinition } from "../../../subgraphs/common/server/subgraphDefinition";
import type { PrismaLike } from "../../../subgraphs/common/database/prismaOptions";
import {
  createNotificationsService,
  type NotificationsDb,
  type NotificationTransport,
  type OutgoingMessage,
} from "../../../subgraphs/notifications";
import { createUsersService, type UsersDb } from "../../../subgraphs/users";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer } from "../../support/identity";
import { NatsTap } from "../../support/natsTap";
import { SmtpTestServer } from "../../support/smtpTestServer";
import { newTestId } from "../../support/testNames";
import { cleanUpTest, testSettings } from "../../support/testSubgraph";
import { waitFor } from "../../support/waitFor";

/** Every log line a process writes, at every level, kept in memory for the test to search. */
class LogSink {
  readonly lines: string[] = [];
  logger(service: string): Logger {
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.lines.push(chunk.toString("utf8"));
        done();
      },
    });
    return pino({ name: service, level: "trace", base: { service } }, stream);
  }
}

/** SMS and push, as a provider would receive them. */
class RecordingTransport implements NotificationTransport {
  readonly sent: OutgoingMessage[] = [];
  async send(message: OutgoingMessage): Promise<void> {
    this.sent.push(message);
  }
}

const myNotifications = `query { me { id notifications(first: 100) { edges { node { channel kind subject body } } } } }`;
const theirNotifications = `query($id: ID!) { user(id: $id) { id notifications(first: 100) { edges { node { channel kind body } } } } }`;

describe("secret links (reset, verification) reach only the email that delivers them", () => {
  const testId = newTestId();
  const sealingKey = randomBytes(32);
  const logs = new LogSink();
  const phones = new RecordingTransport();
  let smtp: SmtpTestServer;
  let users: RunningSubgraph<UsersDb>;
  let notifications: RunningSubgraph<NotificationsDb>;
  let router: RunningRouter;
  let url: string;

  async function start<Db extends PrismaLike, Context extends BaseContext>(
    definition: SubgraphDefinition<Db, Context>,
    overrides: Record<string, string>,
  ): Promise<RunningSubgraph<Db>> {
    const settings = parseEnvironment(definition.name, definition.environment, testSettings(testId, overrides));
    return startSubgraph(definition, settings, { logger: logs.logger(definition.name) });
  }

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
    const key = { SECRET_SEALING_KEY: sealingKey.toString("base64"), LOG_LEVEL: "trace" };
    users = (await start(createUsersService(), key)) as RunningSubgraph<UsersDb>;
    const jwks = new URL("/.well-known/jwks.json", users.url).toString();
    notifications = (await start(createNotificationsService({ transports: { SMS: phones, PUSH: phones } }), {
      ...key,
      USERS_JWKS_URL: jwks,
      SMTP_URL: smtp.url,
      STOREFRONT_URL: "https://shop.test",
      NOTIFICATION_RETRY_BASE_MS: "100",
      NOTIFICATION_RETRY_MAX_MS: "300",
      NOTIFICATION_WORKER_INTERVAL_MS: "100",
    })) as RunningSubgraph<NotificationsDb>;
    const routerSettings = parseEnvironment("router", routerEnvironment, {
      ...process.env,
      NODE_ENV: "test",
      PORT: "0",
      LOG_LEVEL: "trace",
      USERS_URL: users.url,
      NOTIFICATIONS_URL: notifications.url,
      USERS_JWKS_URL: jwks,
      REDIS_KEY_PREFIX: `${testId}:`,
    });
    router = await startRouter(routerSettings, { logger: logs.logger("router") });
    url = router.url;
  });

  afterAll(async () => {
    await router?.stop();
    await cleanUpTest(testId, [users, notifications]);
    await smtp?.pause();
  });

  const mailTo = (address: string, subject: RegExp) =>
    waitFor(
      () => smtp.to(address).find((mail) => subject.test(mail.subject ?? "")),
      `an email "${subject}" to ${address}`,
    );
  const linkToken = (text: string | undefined, page: string) =>
    new RegExp(`https://shop\\.test/${page}\\?token=([\\w-]{43})\\b`).exec(text ?? "")?.[1];

  /** Every place a secret could linger, as text: both databases (outboxes included) and the inboxes through the API. */
  async function everythingKept(userId: string): Promise<string> {
    const admin = await loginAdmin(url);
    const customerView = await graphql(url, theirNotifications, {
      token: admin.accessToken,
      variables: { id: userId },
    });
    return JSON.stringify([
      await users.runtime.db.outboxEvent.findMany({ select: { envelope: true } }),
      await users.runtime.db.passwordResetToken.findMany(),
      await users.runtime.db.emailToken.findMany(),
      await notifications.runtime.db.notification.findMany(),
      await notifications.runtime.db.outboxEvent.findMany({ select: { envelope: true } }),
      customerView,
    ]);
  }

  it("keeps a reset token out of events, databases, inboxes, SMS, push and logs, before and after it is sent", async () => {
    const customer = await registerCustomer(url, { password: "before-the-reset" });
    // No email wanted: a link the user asked for is still emailed, and only emailed.
    await graphqlData(
      url,
      `mutation { updateNotificationPreferences(input: { email: false, sms: true, push: true }) { sms } }`,
      { token: customer.accessToken },
    );
    const welcome = await mailTo(customer.user.email, /^Welcome/);
    const verificationToken = linkToken(welcome.text, "verify-email");
    expect(verificationToken).toBeDefined();
    const tap = await NatsTap.open(`${testId}.users.>`);

    // While the mail server is down, the email waits with its link sealed.
    await smtp.pause();
    let resetToken: string;
    try {
      await graphqlData(url, `mutation($email: String!) { requestPasswordReset(email: $email) }`, {
        variables: { email: customer.user.email },
      });
      const waiting = await waitFor(async () => {
        const row = await notifications.runtime.db.notification.findFirst({
          where: { userId: customer.user.id, kind: "PASSWORD_RESET", channel: "EMAIL" },
        });
        return row && row.attempts >= 1 ? row : undefined;
      }, "a failed attempt to send the reset email");
      expect(waiting.deliveryStatus).toBe("PENDING");
      // Only the notifications service's key opens it: that is how this test learns the token.
      resetToken = new SecretSealer(sealingKey).open(waiting.sealedSecret!).token;
      expect(waiting.body).toContain("[link sent by email, not kept]");
      const keptMeanwhile = await everythingKept(customer.user.id);
      expect(keptMeanwhile).not.toContain(resetToken);
      expect(keptMeanwhile).not.toContain(verificationToken);
    } finally {
      await smtp.resume();
    }

    const mail = await mailTo(customer.user.email, /Reset your password/);
    expect(linkToken(mail.text, "reset-password")).toBe(resetToken);
    await waitFor(async () => {
      const row = await notifications.runtime.db.notification.findFirst({
        where: { userId: customer.user.id, kind: "PASSWORD_RESET", channel: "EMAIL" },
      });
      return row?.deliveryStatus === "SENT" && row.sealedSecret === null;
    }, "the sent reset email to forget its sealed link");

    const { me } = await graphqlData(url, myNotifications, { token: customer.accessToken });
    const resets = me.notifications.edges.filter(
      (edge: { node: { kind: string } }) => edge.node.kind === "PASSWORD_RESET",
    );
    expect(resets).toHaveLength(4);
    expect(resets.find((edge: { node: { channel: string } }) => edge.node.channel === "IN_APP").node.body).toMatch(
      /reset link was sent/,
    );

    // The token works: the customer sets a new password with it.
    await graphqlData(url, `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`, {
      variables: { input: { token: resetToken, newPassword: "after-the-reset" } },
    });

    const kept = await everythingKept(customer.user.id);
    const published = JSON.stringify(tap.received);
    const texted = JSON.stringify(phones.sent);
    const logged = logs.lines.join("");
    expect(logs.lines.length).toBeGreaterThan(10);
    for (const secret of [resetToken, verificationToken!]) {
      expect(kept).not.toContain(secret);
      expect(published).not.toContain(secret);
      expect(texted).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
    expect(JSON.stringify(me)).not.toContain(resetToken);
    await tap.close();
  });

  it("mails an email change's link to the new address only, and a notice without it to the old one", async () => {
    const customer = await registerCustomer(url, { password: "change-my-email" });
    const newEmail = `moved-${customer.user.id.slice(0, 8)}@example.com`;
    await graphqlData(url, `mutation($input: RequestEmailChangeInput!) { requestEmailChange(input: $input) }`, {
      token: customer.accessToken,
      variables: { input: { newEmail, currentPassword: "change-my-email" } },
    });
    const confirmation = await mailTo(newEmail, /Confirm your new email address/);
    const token = linkToken(confirmation.text, "confirm-email-change");
    expect(token).toBeDefined();
    const notice = await mailTo(customer.user.email, /being changed/);
    expect(notice.text).toContain(newEmail);
    expect(notice.text).toMatch(/reset your password/);
    expect(`${notice.text}${notice.html}`).not.toContain(token);
    expect(smtp.to(customer.user.email).some((mail) => /Confirm your new email/.test(mail.subject ?? ""))).toBe(false);

    const { me } = await graphqlData(url, myNotifications, { token: customer.accessToken });
    const kinds = me.notifications.edges
      .filter((edge: { node: { channel: string } }) => edge.node.channel === "IN_APP")
      .map((edge: { node: { kind: string } }) => edge.node.kind)
      .sort();
    expect(kinds).toEqual(["EMAIL_CHANGE_CONFIRMATION", "EMAIL_CHANGE_NOTICE", "WELCOME"]);
    await graphqlData(url, `mutation($token: String!) { confirmEmailChange(token: $token) }`, { variables: { token } });
    expect((await graphqlData(url, `query { me { email } }`, { token: customer.accessToken })).me.email).toBe(newEmail);
    await waitFor(async () => {
      const row = await notifications.runtime.db.notification.findFirst({
        where: { userId: customer.user.id, kind: "EMAIL_CHANGE_CONFIRMATION", channel: "EMAIL" },
      });
      return row?.deliveryStatus === "SENT" && row.sealedSecret === null;
    }, "the sent confirmation to forget its sealed link");
    expect(await everythingKept(customer.user.id)).not.toContain(token);
  });

  it("dead-letters an event with a sealed link as ciphertext only", async () => {
    const customer = await registerCustomer(url);
    await graphqlData(url, `mutation($email: String!) { requestPasswordReset(email: $email) }`, {
      variables: { email: customer.user.email },
    });
    // Written in the request's transaction: there once the answer is.
    const outbox = await users.runtime.db.outboxEvent.findFirstOrThrow({
      where: {
        type: "users.password_reset.requested",
        envelope: { path: ["data", "userId"], equals: customer.user.id },
      },
    });
    const envelope = outbox.envelope as { data: { link: { sealed: string } } };
    const token = new SecretSealer(sealingKey).open(envelope.data.link.sealed).token;
    const deadLetters = await NatsTap.open(`${testId}.deadletter.>`);
    // The same event, broken so that the notifications service gives up on it at once.
    const nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    await nats
      .jetstream()
      .publish(
        subjectFor(testId, "users.password_reset.requested"),
        JSON.stringify({ ...envelope, id: randomUUID(), data: { ...envelope.data, userId: "not-a-user-id" } }),
        { msgID: randomUUID() },
      );
    await nats.close();
    const [deadLetter] = await waitFor(() => deadLetters.received.length > 0 && deadLetters.received, "a dead letter");
    const text = JSON.stringify(deadLetter);
    expect(text).toContain(envelope.data.link.sealed);
    expect(text).not.toContain(token);
    await deadLetters.close();
  });

  it("gives up an email whose link expired before it could be sent, and wipes the sealed link", async () => {
    // As a reset email would be stored after the mail server had stayed down past the link's hour.
    const userId = randomUUID();
    const sealer = new SecretSealer(sealingKey);
    const { id } = await notifications.runtime.db.notification.create({
      data: {
        userId,
        channel: "EMAIL",
        kind: "PASSWORD_RESET",
        subject: "Reset your password",
        body: "open this link: [link sent by email, not kept]",
        recipient: "too-late@example.com",
        sealedSecret: sealer.seal({
          purpose: "PASSWORD_RESET",
          userId,
          token: "a-token-whose-hour-has-passed-000000000000",
          expiresAt: new Date(Date.now() - 1000),
        }),
        sourceEventId: randomUUID(),
        nextAttemptAt: new Date(),
      },
    });
    const failed = await waitFor(async () => {
      const row = await notifications.runtime.db.notification.findUnique({ where: { id } });
      return row?.deliveryStatus === "FAILED" ? row : undefined;
    }, "the expired reset email to be given up");
    expect(failed.attempts).toBe(1);
    expect(failed.statusReason).toMatch(/expired/);
    expect(failed.sealedSecret).toBeNull();
    expect(smtp.to("too-late@example.com")).toEqual([]);
  });
});
