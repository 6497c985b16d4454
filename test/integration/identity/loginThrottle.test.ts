import { graphql } from "../../support/graphqlClient";
import { registerCustomer } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";

const loginMutation = `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`;

describe("failed logins are limited per email and per client address", () => {
  let services: TestServices<"users">;
  let url: string;

  beforeAll(async () => {
    services = await startServices(["users"], {
      settings: {
        users: {
          LOGIN_MAX_FAILURES_PER_EMAIL: "3",
          LOGIN_MAX_FAILURES_PER_ADDRESS: "8",
          LOGIN_FAILURE_WINDOW_SECONDS: "600",
        },
      },
    });
    url = services.router.url;
  });

  afterAll(() => services?.cleanUp());

  // Each test signs in from an address of its own, so neither depends on the other's failures.
  const attempt = (email: string, password: string, from: string) =>
    graphql(url, loginMutation, { variables: { input: { email, password } }, headers: { "x-forwarded-for": from } });

  it("refuses an email after three failures, even with the right password, and says when to retry", async () => {
    const victim = await registerCustomer(url, { password: "the-real-password" });
    for (let failure = 0; failure < 3; failure += 1) {
      expect(
        (await attempt(victim.user.email, "a-guess-that-fails", `10.1.0.${failure + 1}`)).errors?.[0]?.extensions?.code,
      ).toBe("UNAUTHENTICATED");
    }
    // From yet another address: the limit is the email's, not the address's.
    const limited = await attempt(victim.user.email.toUpperCase(), "the-real-password", "10.1.0.99");
    expect(limited.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    const retryAfter = limited.errors?.[0]?.extensions?.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
  });

  it("refuses a client address after eight failures across emails", async () => {
    const from = "10.2.0.1";
    for (let failure = 0; failure < 8; failure += 1) {
      expect((await attempt(`unknown-${failure}@example.com`, "a-guess", from)).errors?.[0]?.extensions?.code).toBe(
        "UNAUTHENTICATED",
      );
    }
    const fresh = await registerCustomer(url, { password: "fresh-password" });
    const limited = await attempt(fresh.user.email, "fresh-password", from);
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter: expect.any(Number) });
    // The same customer from another address is let in: the limit was the address's.
    const elsewhere = await attempt(fresh.user.email, "fresh-password", "10.2.0.2");
    expect((elsewhere.data as { login?: { accessToken?: string } } | undefined)?.login?.accessToken).toEqual(
      expect.any(String),
    );
  });

  it("evaluates no more guesses than the limit when they arrive all at once", async () => {
    const victim = await registerCustomer(url, { password: "the-real-password" });
    // Each from its own address, so only the email's limit (three) applies.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, guess) =>
        attempt(victim.user.email, `parallel-guess-${guess}`, `10.3.0.${guess + 1}`),
      ),
    );
    const codes = results.map((result) => result.errors?.[0]?.extensions?.code).sort();
    expect(codes).toEqual([...Array(3).fill("UNAUTHENTICATED"), ...Array(5).fill("RATE_LIMITED")].sort());
    const afterwards = await attempt(victim.user.email, "the-real-password", "10.3.0.99");
    expect(afterwards.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
  });

  it("does not count successful logins as failures, for the email or the address", async () => {
    const customer = await registerCustomer(url, { password: "the-real-password" });
    const from = "10.4.0.1";
    // More successes than either limit, with failures in between that stay under them.
    for (let round = 0; round < 10; round += 1) {
      if (round % 3 === 0)
        expect((await attempt(customer.user.email, "a-guess-that-fails", from)).errors?.[0]?.extensions?.code).toBe(
          "UNAUTHENTICATED",
        );
      const signedIn = await attempt(customer.user.email, "the-real-password", from);
      expect((signedIn.data as { login?: { accessToken?: string } } | undefined)?.login?.accessToken).toEqual(
        expect.any(String),
      );
    }
  });
});
