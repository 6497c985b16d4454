import { exportPKCS8, generateKeyPair } from "jose";
import { createLogger } from "../../../subgraphs/common/logger";
import { SecretSealer } from "../../../subgraphs/common/secrets/sealedSecrets";
import type { RunningSubgraph } from "../../../subgraphs/common/server/startSubgraph";
import {
  ensureAdmin,
  AccessTokens,
  type Revocations,
  signingKeyFromPem,
  login,
  logout,
  refreshSession,
  resetPassword,
  type IdentityDependencies,
  scryptPasswordHasher,
  type PasswordHasher,
  newOpaqueToken,
  tokenHash,
  type UsersEnvironment,
  type UsersDb,
  LoginThrottle,
  AccountEmailThrottle,
} from "../../../subgraphs/users";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { registerCustomer } from "../../support/identity";
import { PrivateRedis } from "../../support/privateRedis";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

type Users = RunningSubgraph<UsersDb, UsersEnvironment>;

const resetMutation = `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }`;
const meQuery = `query { me { id } }`;

/** The users service's identity dependencies, called directly, with some replaced. */
async function identityDependencies(
  users: Users,
  overrides: Partial<IdentityDependencies> = {},
): Promise<IdentityDependencies> {
  const { runtime } = users;
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const key = await signingKeyFromPem(await exportPKCS8(privateKey));
  return {
    unitOfWork: runtime.unitOfWork,
    passwords: scryptPasswordHasher(14),
    tokens: new AccessTokens(key, {
      issuer: runtime.env.JWT_ISSUER,
      audience: runtime.env.JWT_AUDIENCE,
      ttlSeconds: 900,
    }),
    throttle: new LoginThrottle(runtime.redis, runtime.env.REDIS_KEY_PREFIX, {
      maxFailuresPerEmail: 100,
      maxFailuresPerAddress: 100,
      windowSeconds: 60,
    }),
    revocations: runtime.revocations,
    refreshTokenTtlDays: 30,
    sealer: SecretSealer.fromSetting(runtime.env.SECRET_SEALING_KEY),
    accountEmails: new AccountEmailThrottle(runtime.redis, runtime.env.REDIS_KEY_PREFIX, {
      maxPerEmail: 100,
      maxPerAddress: 100,
      windowSeconds: 60,
    }),
    ...overrides,
  };
}

/** A Redis outage, as the revocation writes see it. */
function unreachableRevocations(): Revocations {
  return { revoke: () => Promise.reject(new Error("Redis is unreachable")) };
}

/** A reset token for the user, as the reset email would carry. */
async function resetTokenFor(users: Users, userId: string): Promise<string> {
  const token = newOpaqueToken();
  await users.runtime.db.passwordResetToken.create({
    data: { userId, tokenHash: tokenHash(token), expiresAt: new Date(Date.now() + 60 * 60 * 1000) },
  });
  return token;
}

async function stateOf(users: Users, userId: string) {
  const { db } = users.runtime;
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  const sessions = await db.session.findMany({ where: { userId }, orderBy: { createdAt: "asc" } });
  const resetTokens = await db.passwordResetToken.findMany({ where: { userId } });
  return { passwordHash: user.passwordHash, roles: user.roles, sessions, resetTokens };
}

describe("session revocations are written to Redis before the database commits", () => {
  let services: TestServices<"users">;
  let url: string;

  beforeAll(async () => {
    services = await startServices(["users"]);
    url = services.router.url;
  });

  afterAll(() => services?.cleanUp());

  it("a password reset that cannot revoke the sessions in Redis changes nothing, and works when retried", async () => {
    const customer = await registerCustomer(url, { password: "the-old-password" });
    const token = await resetTokenFor(services.users, customer.user.id);
    const before = await stateOf(services.users, customer.user.id);

    const failing = await identityDependencies(services.users, { revocations: unreachableRevocations() });
    await expect(resetPassword(failing, { token, newPassword: "the-new-password" })).rejects.toThrow(
      "Redis is unreachable",
    );
    const after = await stateOf(services.users, customer.user.id);
    expect(after.passwordHash).toBe(before.passwordHash);
    expect(after.resetTokens.map((row) => row.usedAt)).toEqual([null]);
    expect(after.sessions.map((row) => row.revokedAt)).toEqual([null]);

    // The same link works once Redis is back, and the session ends in the database and in Redis.
    expect(
      await resetPassword(await identityDependencies(services.users), { token, newPassword: "the-new-password" }),
    ).toBe(true);
    const retried = await stateOf(services.users, customer.user.id);
    expect(retried.passwordHash).not.toBe(before.passwordHash);
    expect(retried.sessions.map((row) => row.revokedReason)).toEqual(["PASSWORD_RESET"]);
    expect(await services.users.runtime.revocations.isRevoked(retried.sessions[0]!.id)).toBe(true);
  });

  it("a logout that cannot reach Redis leaves the session open and says so", async () => {
    const customer = await registerCustomer(url);
    const failing = await identityDependencies(services.users, { revocations: unreachableRevocations() });
    await expect(logout(failing, customer.refreshToken)).rejects.toThrow("Redis is unreachable");
    expect((await stateOf(services.users, customer.user.id)).sessions.map((row) => row.revokedAt)).toEqual([null]);

    expect(await logout(await identityDependencies(services.users), customer.refreshToken)).toBe(true);
    const [session] = (await stateOf(services.users, customer.user.id)).sessions;
    expect(session?.revokedReason).toBe("LOGOUT");
    expect(await services.users.runtime.revocations.isRevoked(session!.id)).toBe(true);
  });

  it("a reused refresh token that cannot be revoked in Redis fails, and is caught again on retry", async () => {
    const customer = await registerCustomer(url);
    const deps = await identityDependencies(services.users);
    await refreshSession(deps, customer.refreshToken);
    const failing = await identityDependencies(services.users, { revocations: unreachableRevocations() });
    await expect(refreshSession(failing, customer.refreshToken)).rejects.toThrow("Redis is unreachable");
    expect((await stateOf(services.users, customer.user.id)).sessions.map((row) => row.revokedAt)).toEqual([null]);

    await expect(refreshSession(deps, customer.refreshToken)).rejects.toThrow(/already used/);
    const [session] = (await stateOf(services.users, customer.user.id)).sessions;
    expect(session?.revokedReason).toBe("REUSE_DETECTED");
    expect(await services.users.runtime.revocations.isRevoked(session!.id)).toBe(true);
  });

  it("does not promote an account to admin when its sessions cannot be revoked in Redis", async () => {
    const squatter = await registerCustomer(url, {
      email: "ops-outage@example.com",
      password: "the-squatters-password",
    });
    const before = await stateOf(services.users, squatter.user.id);
    const deps = {
      unitOfWork: services.users.runtime.unitOfWork,
      passwords: scryptPasswordHasher(14),
      logger: createLogger("users", { level: "silent" }),
      accessTokenTtlSeconds: 900,
    };
    await expect(
      ensureAdmin(
        { ...deps, revocations: unreachableRevocations() },
        { ADMIN_EMAIL: "ops-outage@example.com", ADMIN_PASSWORD: "the-operators-password" },
      ),
    ).rejects.toThrow("Redis is unreachable");
    const after = await stateOf(services.users, squatter.user.id);
    expect(after.roles).toEqual(["CUSTOMER"]);
    expect(after.passwordHash).toBe(before.passwordHash);
    expect(after.sessions.map((row) => row.revokedAt)).toEqual([null]);
  });
});

describe("a login racing a password change", () => {
  let services: TestServices<"users">;

  beforeAll(async () => {
    services = await startServices(["users"], { router: false });
  });

  afterAll(() => services?.cleanUp());

  it("opens no session when the password is reset while the old one is being verified", async () => {
    const customer = await registerCustomer(services.users.url, { password: "the-old-password" });
    const token = await resetTokenFor(services.users, customer.user.id);
    const deps = await identityDependencies(services.users);
    let resetDuringVerify: Promise<true> | undefined;
    // The reset commits (revoking every session) after the old hash was read and verified, and
    // before the login opens its session.
    const racing: PasswordHasher = {
      hash: (password) => deps.passwords.hash(password),
      async verify(password, stored) {
        const valid = await deps.passwords.verify(password, stored);
        resetDuringVerify ??= resetPassword(deps, { token, newPassword: "the-new-password" });
        await resetDuringVerify;
        return valid;
      },
    };
    const sessionsBefore = (await stateOf(services.users, customer.user.id)).sessions.length;

    await expect(
      login({ ...deps, passwords: racing }, { email: customer.user.email, password: "the-old-password" }, "10.9.0.1"),
    ).rejects.toMatchObject({ message: "Email or password is incorrect.", code: "UNAUTHENTICATED" });
    expect(resetDuringVerify).toBeDefined();
    const after = await stateOf(services.users, customer.user.id);
    expect(after.sessions).toHaveLength(sessionsBefore);
    expect(after.sessions.filter((row) => !row.revokedAt)).toEqual([]);
    // The new password signs in as usual.
    expect((await login(deps, { email: customer.user.email, password: "the-new-password" }, "10.9.0.1")).user.id).toBe(
      customer.user.id,
    );
  });
});

describe("a Redis outage during a revocation, with a real Redis", () => {
  let redis: PrivateRedis;
  let services: TestServices<"users">;
  let url: string;

  beforeAll(async () => {
    redis = await PrivateRedis.reserve();
    await redis.resume();
    services = await startServices(["users"], { router: false, settings: { users: { REDIS_URL: redis.url } } });
    url = services.users.url;
  });

  afterAll(async () => {
    await services?.cleanUp();
    await redis?.pause();
  });

  it("answers an error for a password reset, rolls it back, and the same link works once Redis is back", async () => {
    const customer = await registerCustomer(url, { password: "the-old-password" });
    const token = await resetTokenFor(services.users, customer.user.id);
    const before = await stateOf(services.users, customer.user.id);

    await redis.pause();
    try {
      const reset = await graphql(url, resetMutation, {
        variables: { input: { token, newPassword: "the-new-password" } },
      });
      expect(reset.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    } finally {
      await redis.resume();
    }
    const after = await stateOf(services.users, customer.user.id);
    expect(after.passwordHash).toBe(before.passwordHash);
    expect(after.resetTokens.map((row) => row.usedAt)).toEqual([null]);
    expect(after.sessions.map((row) => row.revokedAt)).toEqual([null]);

    await waitFor(
      async () => (await services.users.runtime.redis.ping()) === "PONG",
      "the service to reconnect to Redis",
    );
    expect(
      (await graphqlData(url, resetMutation, { variables: { input: { token, newPassword: "the-new-password" } } }))
        .resetPassword,
    ).toBe(true);
    expect((await graphql(url, meQuery, { token: customer.accessToken })).errors?.[0]?.extensions?.code).toBe(
      "UNAUTHENTICATED",
    );
  });
});
