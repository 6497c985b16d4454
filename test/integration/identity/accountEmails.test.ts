import { graphql } from "../../support/graphqlClient";
import { registerCustomer } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";

const requestReset = `mutation RequestPasswordReset($email: String!) { requestPasswordReset(email: $email) }`;

describe("account emails (password resets) are limited per email and per client address", () => {
  let services: TestServices<"users">;
  let url: string;

  beforeAll(async () => {
    services = await startServices(["users"], {
      settings: {
        users: { ACCOUNT_EMAILS_PER_EMAIL: "3", ACCOUNT_EMAILS_PER_ADDRESS: "5", ACCOUNT_EMAILS_WINDOW_SECONDS: "600" },
      },
    });
    url = services.router.url;
  });

  afterAll(() => services?.cleanUp());

  // Each test asks from addresses of its own, so neither depends on the other's counts.
  const ask = (email: string, from: string) =>
    graphql<{ requestPasswordReset: boolean }>(url, requestReset, {
      variables: { email },
      headers: { "x-forwarded-for": from },
    });
  /** Reset emails on their way to a user: the events written with each request, in its transaction. */
  const resetEmailsTo = (userId: string) =>
    services.users.runtime.db.outboxEvent.count({
      where: { type: "users.password_reset.requested", envelope: { path: ["data", "userId"], equals: userId } },
    });

  it("lets one client address ask for five, then answers RATE_LIMITED with when to retry", async () => {
    const customers = await Promise.all([1, 2, 3].map(() => registerCustomer(url)));
    const emails = [
      ...customers.map((customer) => customer.user.email),
      "nobody-1@example.com",
      "nobody-2@example.com",
    ];
    for (const email of emails) expect((await ask(email, "10.4.0.1")).data?.requestPasswordReset).toBe(true);
    const limited = await ask(customers[0]!.user.email, "10.4.0.1");
    expect(limited.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    const retryAfter = limited.errors?.[0]?.extensions?.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(await resetEmailsTo(customers[0]!.user.id)).toBe(1);
    // Another client is not held back by this one.
    expect((await ask(customers[0]!.user.email, "10.4.0.2")).data?.requestPasswordReset).toBe(true);
    expect(await resetEmailsTo(customers[0]!.user.id)).toBe(2);
  });

  it("sends one email at most three resets a window, asked from anywhere, and the answer never tells", async () => {
    const victim = await registerCustomer(url);
    for (let n = 1; n <= 6; n += 1) {
      expect((await ask(victim.user.email, `10.5.0.${n}`)).data?.requestPasswordReset).toBe(true);
    }
    expect(await resetEmailsTo(victim.user.id)).toBe(3);
    // An unknown email gets the very same answers: the limit says nothing about who has an account.
    for (let n = 1; n <= 6; n += 1) {
      expect((await ask("no-account-here@example.com", `10.5.1.${n}`)).data?.requestPasswordReset).toBe(true);
    }
  });
});
