import { graphql, graphqlData } from "../../support/graphqlClient";
import { login, registerCustomer, tokenOfSealedLink, type Session } from "../../support/identity";
import { NatsTap } from "../../support/natsTap";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const refresh = `mutation($token: String!) { refreshSession(refreshToken: $token) { accessToken refreshToken expiresIn } }`;
const logout = `mutation($token: String!) { logout(refreshToken: $token) }`;
const me = `query { me { id } }`;

describe("sessions: rotating refresh tokens, reuse detection, logout and password reset", () => {
  let services: TestServices<"users">;
  let url: string;

  beforeAll(async () => {
    services = await startServices(["users"]);
    url = services.router.url;
  });

  afterAll(() => services?.cleanUp());

  async function isRejected(token: string, target = url): Promise<boolean> {
    const result = await graphql(target, me, { token });
    return result.errors?.[0]?.extensions?.code === "UNAUTHENTICATED";
  }

  it("rotates the refresh token on every refresh; each one works once", async () => {
    const customer = await registerCustomer(url);
    const first = (await graphqlData(url, refresh, { variables: { token: customer.refreshToken } })).refreshSession;
    expect(first.refreshToken).not.toBe(customer.refreshToken);
    expect(first.accessToken).not.toBe(customer.accessToken);
    expect((await graphqlData(url, me, { token: first.accessToken })).me.id).toBe(customer.user.id);
    const second = (await graphqlData(url, refresh, { variables: { token: first.refreshToken } })).refreshSession;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(
      await services.users.runtime.db.refreshToken.count({
        where: { usedAt: null, session: { userId: customer.user.id } },
      }),
    ).toBe(1);
  });

  it("revokes the whole session when a used refresh token comes back", async () => {
    const customer = await registerCustomer(url);
    const rotated = (await graphqlData(url, refresh, { variables: { token: customer.refreshToken } })).refreshSession;

    const replay = await graphql(url, refresh, { variables: { token: customer.refreshToken } });
    expect(replay.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // The thief's replay ends the session for everyone holding its tokens, the newest ones too.
    const newest = await graphql(url, refresh, { variables: { token: rotated.refreshToken } });
    expect(newest.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await isRejected(rotated.accessToken)).toBe(true);
    expect(await isRejected(customer.accessToken, services.users.url)).toBe(true);

    const session = await services.users.runtime.db.session.findFirstOrThrow({ where: { userId: customer.user.id } });
    expect(session.revokedReason).toBe("REUSE_DETECTED");
    // Other sessions of the same user are not affected.
    const elsewhere = await login(url, customer.user.email, customer.password);
    expect(await isRejected(elsewhere.accessToken)).toBe(false);
  });

  it("lets exactly one of two concurrent refreshes with one token through", async () => {
    const customer = await registerCustomer(url);
    const results = await Promise.all(
      [1, 2].map(() => graphql(url, refresh, { variables: { token: customer.refreshToken } })),
    );
    expect(results.filter((result) => result.data?.refreshSession)).toHaveLength(1);
  });

  it("rejects an unknown refresh token", async () => {
    const result = await graphql(url, refresh, { variables: { token: "made-up-token" } });
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("logs out: the session's access and refresh tokens stop working at once", async () => {
    const customer = await registerCustomer(url);
    expect((await graphqlData(url, logout, { variables: { token: customer.refreshToken } })).logout).toBe(true);
    expect(await isRejected(customer.accessToken)).toBe(true);
    expect(await isRejected(customer.accessToken, services.users.url)).toBe(true);
    const afterLogout = await graphql(url, refresh, { variables: { token: customer.refreshToken } });
    expect(afterLogout.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await graphqlData(url, logout, { variables: { token: "never-issued" } })).logout).toBe(true);
  });

  it("resets a password end to end: one email with a single-use token, every session revoked", async () => {
    const tap = await NatsTap.open(`${services.testId}.users.password_reset.requested`);
    const customer = await registerCustomer(url, { password: "my-old-password" });
    const otherDevice: Session = await login(url, customer.user.email, "my-old-password");

    const request = `mutation($email: String!) { requestPasswordReset(email: $email) }`;
    expect(
      (await graphqlData(url, request, { variables: { email: "nobody-here@example.com" } })).requestPasswordReset,
    ).toBe(true);
    expect(
      (await graphqlData(url, request, { variables: { email: customer.user.email.toUpperCase() } }))
        .requestPasswordReset,
    ).toBe(true);
    const [event] = (await waitFor(() => tap.received.length > 0 && tap.received, "the reset email event")) as Array<{
      data: { email: string; link: { sealed: string; expiresAt: string } };
    }>;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tap.received).toHaveLength(1);
    expect(event?.data.email).toBe(customer.user.email);
    const expiresIn = new Date(event!.data.link.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(59 * 60 * 1000);
    expect(expiresIn).toBeLessThanOrEqual(60 * 60 * 1000);
    // The event carries the token sealed, never in clear.
    const token = tokenOfSealedLink(event!.data.link);
    expect(JSON.stringify(event)).not.toContain(token);

    const reset = `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`;
    const tooShort = await graphql(url, reset, {
      variables: { input: { token: token, newPassword: "short" } },
    });
    expect(tooShort.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "newPassword" });
    expect(
      (
        await graphqlData(url, reset, {
          variables: { input: { token: token, newPassword: "my-new-password" } },
        })
      ).resetPassword,
    ).toBe(true);

    for (const session of [customer, otherDevice]) {
      expect(await isRejected(session.accessToken)).toBe(true);
      const refreshed = await graphql(url, refresh, { variables: { token: session.refreshToken } });
      expect(refreshed.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
    const oldPassword = await graphql(
      url,
      `
        mutation ($input: LoginInput!) {
          login(input: $input) {
            accessToken
          }
        }
      `,
      {
        variables: { input: { email: customer.user.email, password: "my-old-password" } },
      },
    );
    expect(oldPassword.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await login(url, customer.user.email, "my-new-password")).user.id).toBe(customer.user.id);

    const reused = await graphql(url, reset, {
      variables: { input: { token: token, newPassword: "yet-another-one" } },
    });
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    const unknown = await graphql(url, reset, {
      variables: { input: { token: "x".repeat(43), newPassword: "yet-another-one" } },
    });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    await tap.close();
  });

  it("refuses an expired reset token", async () => {
    const tap = await NatsTap.open(`${services.testId}.users.password_reset.requested`);
    const customer = await registerCustomer(url);
    await graphqlData(url, `mutation($email: String!) { requestPasswordReset(email: $email) }`, {
      variables: { email: customer.user.email },
    });
    const [event] = (await waitFor(() => tap.received.length > 0 && tap.received, "the reset event")) as Array<{
      data: { link: { sealed: string } };
    }>;
    await services.users.runtime.db.passwordResetToken.updateMany({
      where: { userId: customer.user.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const result = await graphql(
      url,
      `
        mutation ($input: ResetPasswordInput!) {
          resetPassword(input: $input)
        }
      `,
      {
        variables: { input: { token: tokenOfSealedLink(event!.data.link), newPassword: "too-late-password" } },
      },
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    await tap.close();
  });
});
