import { graphql, graphqlData } from "../../support/graphqlClient";
import { login, registerCustomer, tokenOfSealedLink } from "../../support/identity";
import { NatsTap } from "../../support/natsTap";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const requestChange = `mutation RequestEmailChange($input: RequestEmailChangeInput!) { requestEmailChange(input: $input) }`;
const confirmChange = `mutation ConfirmEmailChange($token: String!) { confirmEmailChange(token: $token) }`;
const updateProfile = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id email } }`;
const requestReset = `mutation($email: String!) { requestPasswordReset(email: $email) }`;
const resetPassword = `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`;
const me = `query { me { id email emailVerified } }`;

type SealedLink = { sealed: string; expiresAt: string };
interface UsersEvent {
  type: string;
  data: { userId: string; email?: string; currentEmail?: string; newEmail?: string; link?: SealedLink };
}

describe("changing the account email: the current password, and the new address's consent", () => {
  let services: TestServices<"users">;
  let url: string;
  let tap: NatsTap;

  beforeAll(async () => {
    services = await startServices(["users"], { settings: { users: { ACCOUNT_EMAILS_PER_ADDRESS: "100" } } });
    url = services.router.url;
    tap = await NatsTap.open(`${services.testId}.users.>`);
  });

  afterAll(async () => {
    await tap?.close();
    await services?.cleanUp();
  });

  const eventOf = (userId: string, type: string, count = 1) =>
    waitFor(() => {
      const events = (tap.received as UsersEvent[]).filter(
        (event) => event.type === type && event.data.userId === userId,
      );
      return events.length >= count && events[count - 1];
    }, `${type} #${count}`);
  const linkOf = async (userId: string, type: string, count = 1) =>
    tokenOfSealedLink((await eventOf(userId, type, count)).data.link);
  const emailOf = async (userId: string) =>
    (await services.users.runtime.db.user.findUniqueOrThrow({ where: { id: userId } })).email;

  it("mails a link to the new address and a notice to the old; the email changes, verified, only when it is followed", async () => {
    const customer = await registerCustomer(url, { password: "current-password" });
    const newEmail = `moved-${customer.user.id.slice(0, 8)}@example.com`;
    expect(
      (
        await graphqlData(url, requestChange, {
          token: customer.accessToken,
          variables: { input: { newEmail: newEmail.toUpperCase(), currentPassword: "current-password" } },
        })
      ).requestEmailChange,
    ).toBe(true);
    const requested = await eventOf(customer.user.id, "users.email_change.requested");
    expect(requested.data).toMatchObject({ currentEmail: customer.user.email, newEmail });
    const token = tokenOfSealedLink(requested.data.link);
    expect(JSON.stringify(requested)).not.toContain(token);

    // Nothing has changed yet: the old address still signs in.
    expect(await emailOf(customer.user.id)).toBe(customer.user.email);
    await login(url, customer.user.email, "current-password");

    expect((await graphqlData(url, confirmChange, { variables: { token } })).confirmEmailChange).toBe(true);
    expect((await graphqlData(url, me, { token: customer.accessToken })).me).toEqual({
      id: customer.user.id,
      email: newEmail,
      emailVerified: true,
    });
    expect((await eventOf(customer.user.id, "users.user.updated")).data.email).toBe(newEmail);
    expect((await eventOf(customer.user.id, "users.user.email_verified")).data).toEqual({
      userId: customer.user.id,
      email: newEmail,
    });
    await login(url, newEmail, "current-password");
    const reused = await graphql(url, confirmChange, { variables: { token } });
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
  });

  it("refuses a wrong or missing password, a bad or unchanged address, another account's address, and anonymous callers", async () => {
    const customer = await registerCustomer(url, { password: "current-password" });
    const other = await registerCustomer(url);
    const attempt = (input: Record<string, unknown>, token = customer.accessToken) =>
      graphql(url, requestChange, { ...(token ? { token } : {}), variables: { input } });
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ newEmail: "fine@example.com", currentPassword: "wrong-password" }, "BAD_USER_INPUT", "currentPassword"],
      [{ newEmail: "fine@example.com", currentPassword: "" }, "BAD_USER_INPUT", "currentPassword"],
      [{ newEmail: "not-an-email", currentPassword: "current-password" }, "BAD_USER_INPUT", "newEmail"],
      [{ newEmail: customer.user.email, currentPassword: "current-password" }, "BAD_USER_INPUT", "newEmail"],
      [{ newEmail: other.user.email, currentPassword: "current-password" }, "CONFLICT", "newEmail"],
    ];
    for (const [input, code, field] of cases) {
      expect([input, (await attempt(input)).errors?.[0]?.extensions]).toEqual([
        input,
        expect.objectContaining({ code, field }),
      ]);
    }
    const anonymous = await attempt({ newEmail: "fine@example.com", currentPassword: "current-password" }, "");
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await emailOf(customer.user.id)).toBe(customer.user.email);
    expect(
      await services.users.runtime.db.emailToken.count({
        where: { userId: customer.user.id, purpose: "CHANGE_EMAIL" },
      }),
    ).toBe(0);
  });

  it("limits guesses of the current password as it limits logins", async () => {
    const customer = await registerCustomer(url, { password: "current-password" });
    const guess = (currentPassword: string) =>
      graphql(url, requestChange, {
        token: customer.accessToken,
        variables: { input: { newEmail: "guessed@example.com", currentPassword } },
        headers: { "x-forwarded-for": "10.6.0.1" },
      });
    for (let n = 1; n <= 5; n += 1) {
      expect((await guess(`guess-number-${n}`)).errors?.[0]?.extensions?.field).toBe("currentPassword");
    }
    const limited = await guess("current-password");
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter: expect.any(Number) });
  });

  it("starts the same change from updateProfile; a newer request replaces the older link", async () => {
    const customer = await registerCustomer(url, { password: "current-password" });
    const { updateProfile: profile } = await graphqlData(url, updateProfile, {
      token: customer.accessToken,
      variables: { input: { email: "first-choice@example.com", currentPassword: "current-password" } },
    });
    expect(profile.email).toBe(customer.user.email);
    const first = await linkOf(customer.user.id, "users.email_change.requested");
    await graphqlData(url, requestChange, {
      token: customer.accessToken,
      variables: { input: { newEmail: "second-choice@example.com", currentPassword: "current-password" } },
    });
    const second = await linkOf(customer.user.id, "users.email_change.requested", 2);
    const replaced = await graphql(url, confirmChange, { variables: { token: first } });
    expect(replaced.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    await graphqlData(url, confirmChange, { variables: { token: second } });
    expect(await emailOf(customer.user.id)).toBe("second-choice@example.com");
  });

  it("a reset ends every other reset link and a pending email change; a change ends reset links sent to the old address", async () => {
    const customer = await registerCustomer(url, { password: "stolen-password" });
    // Someone who knows the password asks to move the account to their own address...
    await graphqlData(url, requestChange, {
      token: customer.accessToken,
      variables: { input: { newEmail: "thief@example.com", currentPassword: "stolen-password" } },
    });
    const thiefsLink = await linkOf(customer.user.id, "users.email_change.requested");
    // ...and the owner resets the password, from the newer of two reset emails.
    await graphqlData(url, requestReset, { variables: { email: customer.user.email } });
    await graphqlData(url, requestReset, { variables: { email: customer.user.email } });
    const older = await linkOf(customer.user.id, "users.password_reset.requested", 1);
    const newer = await linkOf(customer.user.id, "users.password_reset.requested", 2);
    await graphqlData(url, resetPassword, {
      variables: { input: { token: newer, newPassword: "owners-new-password" } },
    });

    const olderReset = await graphql(url, resetPassword, {
      variables: { input: { token: older, newPassword: "thiefs-password" } },
    });
    expect(olderReset.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    const stolenChange = await graphql(url, confirmChange, { variables: { token: thiefsLink } });
    expect(stolenChange.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    expect(await emailOf(customer.user.id)).toBe(customer.user.email);
    expect((await graphql(url, me, { token: customer.accessToken })).errors?.[0]?.extensions?.code).toBe(
      "UNAUTHENTICATED",
    );

    // Later the owner moves to a new address: a reset link mailed to the old one stops working.
    const owner = await login(url, customer.user.email, "owners-new-password");
    await graphqlData(url, requestReset, { variables: { email: customer.user.email } });
    const toOldAddress = await linkOf(customer.user.id, "users.password_reset.requested", 3);
    await graphqlData(url, requestChange, {
      token: owner.accessToken,
      variables: { input: { newEmail: "owner-moved@example.com", currentPassword: "owners-new-password" } },
    });
    await graphqlData(url, confirmChange, {
      variables: { token: await linkOf(customer.user.id, "users.email_change.requested", 2) },
    });
    const staleReset = await graphql(url, resetPassword, {
      variables: { input: { token: toOldAddress, newPassword: "whoever-has-the-old-inbox" } },
    });
    expect(staleReset.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
  });

  it("refuses to confirm when another account has taken the address since, and changes nothing", async () => {
    const customer = await registerCustomer(url, { password: "current-password" });
    await graphqlData(url, requestChange, {
      token: customer.accessToken,
      variables: { input: { newEmail: "contested@example.com", currentPassword: "current-password" } },
    });
    const token = await linkOf(customer.user.id, "users.email_change.requested");
    await registerCustomer(url, { email: "contested@example.com" });
    const result = await graphql(url, confirmChange, { variables: { token } });
    expect(result.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(await emailOf(customer.user.id)).toBe(customer.user.email);
  });
});
