import { graphql } from "../../support/graphqlClient";
import { registerCustomer } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";

const loginMutation = `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`;

describe("failed logins are limited per email and per client address", () => {
  let services: TestServices<"users">;
  let url: string;

  beforeAll(async () => {
    services = await startServices(["users"], {
      settings: { users: { LOGIN_MAX_FAILURES_PER_EMAIL: "3", LOGIN_MAX_FAILURES_PER_ADDRESS: "8", LOGIN_FAILURE_WINDOW_SECONDS: "600" } },
    });
    url = services.router.url;
  });

  afterAll(() => services?.cleanUp());

  const attempt = (email: string, password: string) => graphql(url, loginMutation, { variables: { input: { email, password } } });

  it("refuses an email after three failures, even with the right password, and says when to retry", async () => {
    const victim = await registerCustomer(url, { password: "the-real-password" });
    for (let failure = 0; failure < 3; failure += 1) {
      expect((await attempt(victim.user.email, "a-guess-that-fails")).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
    const limited = await attempt(victim.user.email.toUpperCase(), "the-real-password");
    expect(limited.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    const retryAfter = limited.errors?.[0]?.extensions?.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
  });

  it("refuses a client address after eight failures across emails", async () => {
    // Three failures so far came from this address (previous test); five more reach the limit.
    for (let failure = 0; failure < 5; failure += 1) {
      expect((await attempt(`unknown-${failure}@example.com`, "a-guess")).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
    const fresh = await registerCustomer(url, { password: "fresh-password" });
    const limited = await attempt(fresh.user.email, "fresh-password");
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter: expect.any(Number) });
  });
});
