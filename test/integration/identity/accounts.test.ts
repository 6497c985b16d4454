import { createLogger } from "../../../subgraphs/common/logger";
import { ensureAdmin, scryptPasswordHasher } from "../../../subgraphs/users";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { login, registerCustomer } from "../../support/identity";
import { NatsTap } from "../../support/natsTap";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const registerMutation = `mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken expiresIn user { id email name roles createdAt } } }`;
const loginMutation = `mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken expiresIn user { id email } } }`;
const meQuery = `query { me { id email emailVerified name roles addresses { id label line1 city postalCode country isDefault } } }`;

describe("accounts: registration, login, profile and addresses through the router", () => {
  let services: TestServices<"users">;
  let url: string;

  beforeAll(async () => {
    services = await startServices(["users"]);
    url = services.router.url;
  });

  afterAll(() => services?.cleanUp());

  it("registers a customer, signs them in, and announces users.user.registered", async () => {
    const tap = await NatsTap.open(`${services.testId}.users.user.registered`);
    const { register } = await graphqlData(url, registerMutation, {
      variables: {
        input: { email: "  Grace.Hopper@Example.COM ", password: "cobol-forever-1959", name: " Grace Hopper " },
      },
    });
    expect(register).toMatchObject({
      expiresIn: 900,
      user: { email: "grace.hopper@example.com", name: "Grace Hopper", roles: ["CUSTOMER"] },
    });
    expect(register.accessToken.split(".")).toHaveLength(3);
    expect(register.refreshToken.length).toBeGreaterThanOrEqual(43);

    const { me } = await graphqlData(url, meQuery, { token: register.accessToken });
    expect(me).toEqual({
      id: register.user.id,
      email: "grace.hopper@example.com",
      emailVerified: false,
      name: "Grace Hopper",
      roles: ["CUSTOMER"],
      addresses: [],
    });

    const events = await waitFor(() => tap.received.length > 0 && tap.received, "the registered event");
    expect(events[0]).toMatchObject({
      type: "users.user.registered",
      source: "users",
      data: { userId: register.user.id, email: "grace.hopper@example.com" },
    });
    await tap.close();
  });

  it("refuses a second account for the same email in any letter case with CONFLICT", async () => {
    await registerCustomer(url, { email: "twice@example.com" });
    const result = await graphql(url, registerMutation, {
      variables: { input: { email: "TWICE@example.com", password: "another-password", name: "Again" } },
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "email" });
  });

  it("creates exactly one account when two registrations of one email race", async () => {
    const attempts = await Promise.all(
      ["race@example.com", "Race@example.com", "RACE@example.com", "race@Example.com"].map((email) =>
        graphql(url, registerMutation, { variables: { input: { email, password: "racing-password", name: "Racer" } } }),
      ),
    );
    const succeeded = attempts.filter((attempt) => attempt.data?.register);
    const conflicts = attempts.filter((attempt) => attempt.errors?.[0]?.extensions?.code === "CONFLICT");
    expect(succeeded).toHaveLength(1);
    expect(conflicts).toHaveLength(3);
    expect(await services.users.runtime.db.user.count({ where: { email: "race@example.com" } })).toBe(1);
  });

  it.each([
    [{ email: "not-an-email", password: "long enough password", name: "X" }, "email"],
    [{ email: "short@example.com", password: "short", name: "X" }, "password"],
    [{ email: "noname@example.com", password: "long enough password", name: "   " }, "name"],
    [{ email: "long@example.com", password: "long enough password", name: "x".repeat(101) }, "name"],
  ])("rejects registration input %j naming the field", async (input, field) => {
    const result = await graphql(url, registerMutation, { variables: { input } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
  });

  it("signs in with the right password and answers one message for a wrong password or an unknown email", async () => {
    const customer = await registerCustomer(url, { email: "login@example.com", password: "the-right-password" });
    const { login: session } = await graphqlData(url, loginMutation, {
      variables: { input: { email: "LOGIN@example.com", password: "the-right-password" } },
    });
    expect(session.user.id).toBe(customer.user.id);

    const wrongPassword = await graphql(url, loginMutation, {
      variables: { input: { email: "login@example.com", password: "the-wrong-password" } },
    });
    const unknownEmail = await graphql(url, loginMutation, {
      variables: { input: { email: "nobody@example.com", password: "the-right-password" } },
    });
    expect(wrongPassword.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(unknownEmail.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(wrongPassword.errors?.[0]?.message).toBe(unknownEmail.errors?.[0]?.message);
  });

  it("makes an existing account of ADMIN_EMAIL the admin only with ADMIN_PASSWORD, ending its sessions", async () => {
    const squatter = await registerCustomer(url, {
      email: "operations@example.com",
      password: "the-squatters-password",
    });
    const users = services.users.runtime;
    const deps = {
      unitOfWork: users.unitOfWork,
      passwords: scryptPasswordHasher(14),
      logger: createLogger("users", { level: "silent" }),
      revocations: users.revocations,
      accessTokenTtlSeconds: 900,
    };
    await ensureAdmin(deps, { ADMIN_EMAIL: "Operations@example.com", ADMIN_PASSWORD: "the-operators-password" });

    const withOldPassword = await graphql(url, loginMutation, {
      variables: { input: { email: "operations@example.com", password: "the-squatters-password" } },
    });
    expect(withOldPassword.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const withOldToken = await graphql(url, meQuery, { token: squatter.accessToken });
    expect(withOldToken.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const admin = await login(url, "operations@example.com", "the-operators-password");
    expect((await graphqlData(url, meQuery, { token: admin.accessToken })).me.roles).toEqual(["CUSTOMER", "ADMIN"]);

    // Once it is an admin, a restart leaves it alone: a password changed since stays.
    const hashBefore = (await users.db.user.findUniqueOrThrow({ where: { id: squatter.user.id } })).passwordHash;
    await ensureAdmin(deps, { ADMIN_EMAIL: "operations@example.com", ADMIN_PASSWORD: "yet-another-password" });
    expect((await users.db.user.findUniqueOrThrow({ where: { id: squatter.user.id } })).passwordHash).toBe(hashBefore);
  });

  it("stores passwords only as memory-hard hashes", async () => {
    const customer = await registerCustomer(url, { password: "hash-me-please" });
    const row = await services.users.runtime.db.user.findUniqueOrThrow({ where: { id: customer.user.id } });
    expect(row.passwordHash).toMatch(/^scrypt\$\d+\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(row.passwordHash).not.toContain("hash-me-please");
  });

  it("answers `me` without a token with UNAUTHENTICATED", async () => {
    const result = await graphql(url, meQuery);
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("changes the name at once; an email only starts a confirmed change, with the current password", async () => {
    const customer = await registerCustomer(url, { password: "profile-password" });
    const other = await registerCustomer(url);
    const update = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id name email } }`;
    const { updateProfile } = await graphqlData(url, update, {
      token: customer.accessToken,
      variables: { input: { name: "New Name" } },
    });
    expect(updateProfile).toEqual({ id: customer.user.id, name: "New Name", email: customer.user.email });
    // `email` stays valid for clients, but no longer changes the address without its owner's consent.
    const withoutPassword = await graphql(url, update, {
      token: customer.accessToken,
      variables: { input: { email: "New.Address@Example.com" } },
    });
    expect(withoutPassword.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "currentPassword" });
    const started = await graphqlData(url, update, {
      token: customer.accessToken,
      variables: { input: { email: "New.Address@Example.com", currentPassword: "profile-password" } },
    });
    expect(started.updateProfile.email).toBe(customer.user.email);
    expect((await services.users.runtime.db.user.findUniqueOrThrow({ where: { id: customer.user.id } })).email).toBe(
      customer.user.email,
    );
    const clash = await graphql(url, update, {
      token: customer.accessToken,
      variables: { input: { email: other.user.email, currentPassword: "profile-password" } },
    });
    expect(clash.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "email" });
    const anonymous = await graphql(url, update, { variables: { input: { name: "Nobody" } } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("keeps exactly one default address and removes only the caller's own", async () => {
    const customer = await registerCustomer(url);
    const add = `mutation($input: AddressInput!) { addAddress(input: $input) { id label line1 city postalCode country isDefault } }`;
    const home = { label: "Home", line1: "1 Main St", city: "Springfield", postalCode: "12345", country: "us" };
    const first = (await graphqlData(url, add, { token: customer.accessToken, variables: { input: home } })).addAddress;
    expect(first).toMatchObject({ label: "Home", country: "US", isDefault: true });
    const second = (
      await graphqlData(url, add, {
        token: customer.accessToken,
        variables: { input: { ...home, label: "Office", isDefault: true } },
      })
    ).addAddress;
    expect(second.isDefault).toBe(true);
    const third = (
      await graphqlData(url, add, { token: customer.accessToken, variables: { input: { ...home, label: "Cabin" } } })
    ).addAddress;
    expect(third.isDefault).toBe(false);

    let me = (await graphqlData(url, meQuery, { token: customer.accessToken })).me;
    expect(
      me.addresses.map((address: { label: string; isDefault: boolean }) => [address.label, address.isDefault]),
    ).toEqual([
      ["Office", true],
      ["Home", false],
      ["Cabin", false],
    ]);

    const intruder = await registerCustomer(url);
    const remove = `mutation($id: ID!) { removeAddress(id: $id) }`;
    const foreign = await graphql(url, remove, { token: intruder.accessToken, variables: { id: second.id } });
    expect(foreign.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(
      (await graphqlData(url, remove, { token: customer.accessToken, variables: { id: second.id } })).removeAddress,
    ).toBe(true);
    me = (await graphqlData(url, meQuery, { token: customer.accessToken })).me;
    expect(
      me.addresses.map((address: { label: string; isDefault: boolean }) => [address.label, address.isDefault]),
    ).toEqual([
      ["Home", true],
      ["Cabin", false],
    ]);

    const badCountry = await graphql(url, add, {
      token: customer.accessToken,
      variables: { input: { ...home, country: "XX" } },
    });
    expect(badCountry.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "country" });
  });

  it("keeps at most 20 addresses per account, however many requests race for the last places", async () => {
    const customer = await registerCustomer(url);
    const add = `mutation($input: AddressInput!) { addAddress(input: $input) { id } }`;
    const address = (n: number) => ({
      label: `Place ${n}`,
      line1: `${n} Main St`,
      city: "Springfield",
      postalCode: "12345",
      country: "US",
    });
    for (let n = 1; n <= 17; n += 1)
      await graphqlData(url, add, { token: customer.accessToken, variables: { input: address(n) } });
    const racing = await Promise.all(
      [18, 19, 20, 21, 22].map((n) =>
        graphql(url, add, { token: customer.accessToken, variables: { input: address(n) } }),
      ),
    );
    expect(racing.filter((result) => result.data?.addAddress)).toHaveLength(3);
    const refused = racing.filter((result) => result.errors);
    expect(refused).toHaveLength(2);
    for (const result of refused) {
      expect(result.errors?.[0]?.extensions?.code).toBe("CONFLICT");
      expect(result.errors?.[0]?.message).toMatch(/20 saved addresses/);
    }
    expect(await services.users.runtime.db.address.count({ where: { userId: customer.user.id } })).toBe(20);
  });

  it("lists at most 20 addresses, the default first, also for an account saved before the cap", async () => {
    const customer = await registerCustomer(url);
    const db = services.users.runtime.db;
    // As an account could hold before the cap: more than 20, written straight to the database.
    await db.address.createMany({
      data: Array.from({ length: 23 }, (_, n) => ({
        userId: customer.user.id,
        line1: `${n} Old Road`,
        city: "Springfield",
        postalCode: "12345",
        country: "US",
        isDefault: n === 22,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)),
      })),
    });
    const { me } = await graphqlData(url, meQuery, { token: customer.accessToken });
    expect(me.addresses).toHaveLength(20);
    expect(me.addresses[0]).toMatchObject({ line1: "22 Old Road", isDefault: true });
    expect(me.addresses.slice(1).map((each: { line1: string }) => each.line1)).toEqual(
      Array.from({ length: 19 }, (_, n) => `${n} Old Road`),
    );
  });

  it("shows a user's private fields only to the user and to admins", async () => {
    const alice = await registerCustomer(url);
    const bob = await registerCustomer(url);
    const admin = await login(url, "admin@test.example", "admin-password-for-tests");
    const byId = `query($id: ID!) { user(id: $id) { id name email } }`;
    const asCustomer = await graphql(url, byId, { token: bob.accessToken, variables: { id: alice.user.id } });
    expect(asCustomer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const asAdmin = await graphqlData(url, byId, { token: admin.accessToken, variables: { id: alice.user.id } });
    expect(asAdmin.user).toEqual({ id: alice.user.id, name: alice.user.name, email: alice.user.email });
    const unknown = await graphql(url, byId, {
      token: admin.accessToken,
      variables: { id: "00000000-0000-4000-8000-000000000000" },
    });
    expect(unknown.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});
