import { randomBytes } from "node:crypto";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { registerCustomer, tokenOfSealedLink } from "../../support/identity";
import { authorizeInBrowser, OidcTestProvider } from "../../support/oidc/oidcProvider";
import { startServices, type TestServices } from "../../support/testServices";

const start = `mutation OidcSignInStart($provider: String!, $redirectUri: String!) {
  oidcSignInStart(provider: $provider, redirectUri: $redirectUri) { authorizationUrl state expiresAt } }`;
const complete = `mutation OidcSignInComplete($state: String!, $code: String!) {
  oidcSignInComplete(state: $state, code: $code) { accessToken refreshToken expiresIn user { id email emailVerified name } } }`;
const me = `query { me { id email emailVerified linkedIdentities { provider email linkedAt lastSignInAt } } }`;

const redirectUri = "https://shop.test/sign-in/callback";
const client = {
  client_id: "commerce-shop",
  client_secret: randomBytes(16).toString("hex"),
  redirect_uris: [redirectUri],
};

describe("sign-in with OpenID Connect, against a real provider", () => {
  let provider: OidcTestProvider;
  let services: TestServices<"users">;
  let url: string;

  beforeAll(async () => {
    provider = await OidcTestProvider.start([client]);
    services = await startServices(["users"], {
      settings: {
        users: {
          OIDC_PROVIDERS: "testidp",
          OIDC_TESTIDP_ISSUER: provider.issuer,
          OIDC_TESTIDP_CLIENT_ID: client.client_id,
          OIDC_TESTIDP_CLIENT_SECRET: client.client_secret,
          OIDC_TESTIDP_REDIRECT_URIS: `${redirectUri},https://app.test/callback`,
        },
      },
    });
    url = services.router.url;
  });

  afterAll(async () => {
    await services?.cleanUp();
    await provider?.stop();
  });

  const users = () => services.users.runtime.db;
  const newLogin = () => `person-${randomBytes(4).toString("hex")}`;
  const newEmail = () => `oidc-${randomBytes(5).toString("hex")}@example.com`;

  /** Starts a sign-in through the router and has the browser sign in at the provider as `login`. */
  async function authorize(login: string, tamper: (url: URL) => void = () => {}) {
    const { oidcSignInStart } = await graphqlData(url, start, { variables: { provider: "testidp", redirectUri } });
    const authorizationUrl = new URL(oidcSignInStart.authorizationUrl);
    tamper(authorizationUrl);
    const callback = await authorizeInBrowser(authorizationUrl.toString(), login, redirectUri);
    expect(callback.get("state")).toBe(oidcSignInStart.state);
    return { state: oidcSignInStart.state as string, code: callback.get("code")! };
  }

  async function signIn(login: string) {
    const { state, code } = await authorize(login);
    return (await graphqlData(url, complete, { variables: { state, code } })).oidcSignInComplete;
  }

  it("lists its providers, and starts only with a configured provider and redirect URI", async () => {
    expect((await graphqlData(url, `query { oidcProviders { name } }`)).oidcProviders).toEqual([{ name: "testidp" }]);
    const { oidcSignInStart } = await graphqlData(url, start, { variables: { provider: "testidp", redirectUri } });
    const authorizationUrl = new URL(oidcSignInStart.authorizationUrl);
    expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(`${provider.issuer}/auth`);
    expect(Object.fromEntries(authorizationUrl.searchParams)).toMatchObject({
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: redirectUri,
      state: oidcSignInStart.state,
      code_challenge_method: "S256",
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      nonce: expect.stringMatching(/^[\w-]{43}$/),
    });
    expect(new Date(oidcSignInStart.expiresAt).getTime()).toBeGreaterThan(Date.now() + 9 * 60 * 1000);

    const unknown = await graphql(url, start, { variables: { provider: "google", redirectUri } });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "provider" });
    const elsewhere = await graphql(url, start, {
      variables: { provider: "testidp", redirectUri: "https://attacker.example/callback" },
    });
    expect(elsewhere.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "redirectUri" });
  });

  it("creates a verified account at the first sign-in, and finds it again by subject whatever the email says later", async () => {
    const login = newLogin();
    const email = newEmail();
    await provider.putAccount(login, { email, email_verified: true, name: "Ada <Byron>" });
    const first = await signIn(login);
    expect(first.user).toEqual({ id: expect.any(String), email, emailVerified: true, name: "Ada <Byron>" });
    const account = (await graphqlData(url, me, { token: first.accessToken })).me;
    expect(account.linkedIdentities).toEqual([
      { provider: "testidp", email, linkedAt: expect.any(String), lastSignInAt: expect.any(String) },
    ]);
    const stored = await users().user.findUniqueOrThrow({ where: { id: first.user.id } });
    expect(stored.passwordHash).toBeNull();
    expect(
      await users().outboxEvent.count({
        where: {
          type: { in: ["users.user.registered", "users.user.email_verified"] },
          envelope: { path: ["data", "userId"], equals: first.user.id },
        },
      }),
    ).toBe(2);

    // The platform's own tokens: the refresh token rotates as any other.
    const refreshed = await graphqlData(
      url,
      `mutation($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { user { id } } }`,
      { variables: { refreshToken: first.refreshToken } },
    );
    expect(refreshed.refreshSession.user.id).toBe(first.user.id);

    // The provider's email changes: the subject still names the same account, and nothing else moves.
    await provider.putAccount(login, { email: newEmail(), email_verified: true, name: "Ada" });
    const again = await signIn(login);
    expect(again.user).toMatchObject({ id: first.user.id, email });
    expect(await users().oidcIdentity.count({ where: { userId: first.user.id } })).toBe(1);
    // An account without a password cannot be signed in to with one.
    const byPassword = await graphql(
      url,
      `
        mutation ($input: LoginInput!) {
          login(input: $input) {
            accessToken
          }
        }
      `,
      {
        variables: { input: { email, password: "any password at all" } },
      },
    );
    expect(byPassword.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("links an existing account whose email both the provider and this service have verified", async () => {
    const customer = await registerCustomer(url);
    const registered = await users().outboxEvent.findFirstOrThrow({
      where: { type: "users.user.registered", envelope: { path: ["data", "userId"], equals: customer.user.id } },
    });
    const verification = (registered.envelope as { data: { verification: { sealed: string } } }).data.verification;
    await graphqlData(url, `mutation($token: String!) { verifyEmail(token: $token) }`, {
      variables: { token: tokenOfSealedLink(verification) },
    });
    const login = newLogin();
    await provider.putAccount(login, { email: customer.user.email.toUpperCase(), email_verified: true });
    const signedIn = await signIn(login);
    expect(signedIn.user).toMatchObject({ id: customer.user.id, email: customer.user.email, name: customer.user.name });
    // The password still works too.
    const byPassword = await graphqlData(
      url,
      `mutation($input: LoginInput!) { login(input: $input) { user { id } } }`,
      {
        variables: { input: { email: customer.user.email, password: customer.password } },
      },
    );
    expect(byPassword.login.user.id).toBe(customer.user.id);
  });

  it("refuses to link an account whose email is not verified here, or not verified by the provider", async () => {
    const unverified = await registerCustomer(url);
    const login = newLogin();
    await provider.putAccount(login, { email: unverified.user.email, email_verified: true });
    const { state, code } = await authorize(login);
    const refused = await graphql(url, complete, { variables: { state, code } });
    expect(refused.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(refused.errors?.[0]?.message).toMatch(/not verified/);
    expect(refused.data).toBeNull();
    expect(await users().oidcIdentity.count({ where: { userId: unverified.user.id } })).toBe(0);

    // The admin's email is verified here; the provider says its copy is not.
    const impostor = newLogin();
    await provider.putAccount(impostor, { email: "admin@test.example", email_verified: false });
    const claimed = await authorize(impostor);
    const notProven = await graphql(url, complete, { variables: claimed });
    expect(notProven.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(await users().oidcIdentity.count({ where: { subject: impostor } })).toBe(0);
  });

  it("creates an unverified account, mailed a verification link, when the provider has not verified the email", async () => {
    const login = newLogin();
    const email = newEmail();
    await provider.putAccount(login, { email, email_verified: false, name: "Unproven" });
    const signedIn = await signIn(login);
    expect(signedIn.user).toMatchObject({ email, emailVerified: false });
    const registered = await users().outboxEvent.findFirstOrThrow({
      where: { type: "users.user.registered", envelope: { path: ["data", "userId"], equals: signedIn.user.id } },
    });
    const verification = (registered.envelope as { data: { verification?: { sealed: string } } }).data.verification;
    await graphqlData(url, `mutation($token: String!) { verifyEmail(token: $token) }`, {
      variables: { token: tokenOfSealedLink(verification) },
    });
    expect((await graphqlData(url, me, { token: signedIn.accessToken })).me.emailVerified).toBe(true);
  });

  it("refuses an unknown state, a state used twice, a code used twice and an ID token with another nonce", async () => {
    const login = newLogin();
    await provider.putAccount(login, { email: newEmail(), email_verified: true });

    const bogus = await graphql(url, complete, {
      variables: { state: randomBytes(32).toString("base64url"), code: "x" },
    });
    expect(bogus.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "state" });

    const used = await authorize(login);
    await graphqlData(url, complete, { variables: used });
    const stateAgain = await graphql(url, complete, { variables: used });
    expect(stateAgain.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "state" });

    // A code replayed into a new sign-in: the provider refuses it (used, and not this sign-in's PKCE).
    const fresh = await graphqlData(url, start, { variables: { provider: "testidp", redirectUri } });
    const codeAgain = await graphql(url, complete, {
      variables: { state: fresh.oidcSignInStart.state, code: used.code },
    });
    expect(codeAgain.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });

    // The browser was sent on with another nonce (a code injected from someone else's sign-in):
    // the ID token names that nonce, not the one this sign-in keeps, and nobody is signed in.
    const sessionsBefore = await users().session.count();
    const injected = await authorize(login, (authorizationUrl) =>
      authorizationUrl.searchParams.set("nonce", randomBytes(32).toString("base64url")),
    );
    const wrongNonce = await graphql(url, complete, { variables: injected });
    expect(wrongNonce.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });
    expect(await users().session.count()).toBe(sessionsBefore);
  });
});
