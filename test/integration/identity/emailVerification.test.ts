import { tokenHash } from "../../../subgraphs/users";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { login, registerCustomer, tokenOfSealedLink } from "../../support/identity";
import { NatsTap } from "../../support/natsTap";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const verifyEmail = `mutation VerifyEmail($token: String!) { verifyEmail(token: $token) }`;
const resend = `mutation ResendVerificationEmail { resendVerificationEmail }`;
const me = `query { me { id email emailVerified } }`;

interface UsersEvent {
  type: string;
  data: {
    userId: string;
    email?: string;
    link?: { sealed: string; expiresAt: string };
    verification?: { sealed: string; expiresAt: string };
  };
}

describe("email verification: a one-time link in the welcome email, resent on request", () => {
  let services: TestServices<"users">;
  let url: string;
  let tap: NatsTap;

  beforeAll(async () => {
    services = await startServices(["users"], {
      settings: { users: { ACCOUNT_EMAILS_PER_EMAIL: "2", ACCOUNT_EMAILS_PER_ADDRESS: "50" } },
    });
    url = services.router.url;
    tap = await NatsTap.open(`${services.testId}.users.>`);
  });

  afterAll(async () => {
    await tap?.close();
    await services?.cleanUp();
  });

  const eventsOf = (userId: string, type: string) =>
    (tap.received as UsersEvent[]).filter((event) => event.type === type && event.data.userId === userId);
  const eventOf = (userId: string, type: string, count = 1) =>
    waitFor(() => {
      const events = eventsOf(userId, type);
      return events.length >= count && events[count - 1];
    }, `${type} #${count}`);

  /** Events of a type about a user, as the users service wrote them (in the same transaction as the change). */
  const outboxed = (userId: string, type: string) =>
    services.users.runtime.db.outboxEvent.count({
      where: { type, envelope: { path: ["data", "userId"], equals: userId } },
    });

  it("registers unverified; the link in users.user.registered verifies once and announces users.user.email_verified", async () => {
    const customer = await registerCustomer(url);
    const registered = await eventOf(customer.user.id, "users.user.registered");
    const token = tokenOfSealedLink(registered.data.verification);
    expect(JSON.stringify(registered)).not.toContain(token);
    const expiresIn = new Date(registered.data.verification!.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(23 * 60 * 60 * 1000);
    const stored = await services.users.runtime.db.emailToken.findFirstOrThrow({ where: { userId: customer.user.id } });
    expect(stored).toMatchObject({ purpose: "VERIFY_EMAIL", email: customer.user.email, tokenHash: tokenHash(token) });

    // Unverified accounts sign in as any other.
    const session = await login(url, customer.user.email, customer.password);
    expect((await graphqlData(url, me, { token: session.accessToken })).me.emailVerified).toBe(false);

    expect((await graphqlData(url, verifyEmail, { variables: { token } })).verifyEmail).toBe(true);
    expect((await graphqlData(url, me, { token: session.accessToken })).me.emailVerified).toBe(true);
    expect((await eventOf(customer.user.id, "users.user.email_verified")).data).toEqual({
      userId: customer.user.id,
      email: customer.user.email,
    });

    const again = await graphql(url, verifyEmail, { variables: { token } });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    const unknown = await graphql(url, verifyEmail, { variables: { token: "x".repeat(43) } });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    // Verifying again publishes nothing more.
    expect(await outboxed(customer.user.id, "users.user.email_verified")).toBe(1);
  });

  it("refuses an expired link", async () => {
    const customer = await registerCustomer(url);
    const token = tokenOfSealedLink((await eventOf(customer.user.id, "users.user.registered")).data.verification);
    await services.users.runtime.db.emailToken.updateMany({
      where: { userId: customer.user.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const result = await graphql(url, verifyEmail, { variables: { token } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    expect((await graphqlData(url, me, { token: customer.accessToken })).me.emailVerified).toBe(false);
  });

  it("resends a link that replaces the older one, within limits, and not once verified", async () => {
    const customer = await registerCustomer(url);
    const first = tokenOfSealedLink((await eventOf(customer.user.id, "users.user.registered")).data.verification);
    expect((await graphqlData(url, resend, { token: customer.accessToken })).resendVerificationEmail).toBe(true);
    const resent = await eventOf(customer.user.id, "users.email_verification.requested");
    expect(resent.data).toMatchObject({ email: customer.user.email });
    const second = tokenOfSealedLink(resent.data.link);

    const replaced = await graphql(url, verifyEmail, { variables: { token: first } });
    expect(replaced.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });

    // Two account emails per email address and window here: the third is refused, saying when to retry.
    expect((await graphqlData(url, resend, { token: customer.accessToken })).resendVerificationEmail).toBe(true);
    const limited = await graphql(url, resend, { token: customer.accessToken });
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter: expect.any(Number) });
    expect(await outboxed(customer.user.id, "users.email_verification.requested")).toBe(2);

    const latest = tokenOfSealedLink(
      (await eventOf(customer.user.id, "users.email_verification.requested", 2)).data.link,
    );
    const older = await graphql(url, verifyEmail, { variables: { token: second } });
    expect(older.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect((await graphqlData(url, verifyEmail, { variables: { token: latest } })).verifyEmail).toBe(true);

    const verified = await registerCustomer(url);
    const token = tokenOfSealedLink((await eventOf(verified.user.id, "users.user.registered")).data.verification);
    await graphqlData(url, verifyEmail, { variables: { token } });
    const needless = await graphql(url, resend, { token: verified.accessToken });
    expect(needless.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    const anonymous = await graphql(url, resend);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
