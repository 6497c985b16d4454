import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { Redis, type RedisOptions } from "ioredis";
import { pino } from "pino";
import { generateKeyPair, SignJWT } from "jose";
import { ApiKeyRegistry } from "../../../subgraphs/common/auth/apiKeys";
import { LocalRevocations, SessionRevocations } from "../../../subgraphs/common/auth/sessionRevocations";
import { accessTokenAlgorithm, createTokenVerifier } from "../../../subgraphs/common/auth/tokenVerifier";
import { projectRoot } from "../../../subgraphs/common/projectRoot";
import { newTestId } from "../../support/testNames";
import { PrivateRedis } from "../../support/privateRedis";
import { waitFor } from "../../support/waitFor";

const run = promisify(execFile);
type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const issuer = "https://users.test";
const audience = "commerce-test";

/** Revokes a session the way the users service does, from a process of its own. */
async function revokeInAnotherProcess(prefix: string, sessionId: string): Promise<void> {
  const module = path.join(projectRoot, "subgraphs/common/auth/sessionRevocations.ts");
  const script = `
    const { Redis } = require("ioredis");
    const { SessionRevocations } = require(${JSON.stringify(module)});
    const redis = new Redis(${JSON.stringify(redisUrl)});
    new SessionRevocations(redis, ${JSON.stringify(prefix)}).revoke([${JSON.stringify(sessionId)}], 900)
      .then(() => redis.quit(), (error) => { console.error(error); process.exit(1); });`;
  await run(path.join(projectRoot, "node_modules/.bin/tsx"), ["-e", script], { cwd: projectRoot });
}

/** Counts the commands a Redis connection sends. */
function counted(redis: Redis): { redis: Redis; commands: () => number } {
  let commands = 0;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<Redis["sendCommand"]>) => {
    commands += 1;
    return send(...args);
  }) as Redis["sendCommand"];
  return { redis, commands: () => commands };
}

describe("revoked sessions kept in memory from Redis pub/sub, with a real Redis", () => {
  let prefix: string;
  let privateKey: KeyPair["privateKey"];
  let publicKey: KeyPair["publicKey"];
  const opened: Redis[] = [];
  const views: LocalRevocations[] = [];

  const connect = (options: RedisOptions = {}) => {
    const redis = new Redis(redisUrl, { connectionName: `${prefix}test`, ...options });
    opened.push(redis);
    return redis;
  };

  const tokenFor = (sessionId: string) =>
    new SignJWT({ sid: sessionId, roles: ["CUSTOMER"] })
      .setProtectedHeader({ alg: accessTokenAlgorithm })
      .setSubject(randomUUID())
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime("15m")
      .sign(privateKey);

  async function verifierWith(redis: Redis, resyncMs: number) {
    const source = new SessionRevocations(redis, prefix);
    const view = await LocalRevocations.start(source, redis, { resyncMs });
    views.push(view);
    const verify = createTokenVerifier({
      keys: async () => publicKey,
      issuer,
      audience,
      revocations: view,
      cacheEntries: 100,
      apiKeys: new ApiKeyRegistry(redis, prefix),
    });
    const refused = (token: string) =>
      verify(token).then(
        () => false,
        (error: Error & { code?: string }) =>
          error.code === "UNAUTHENTICATED" && /session has ended/.test(error.message),
      );
    return { source, view, verify, refused };
  }

  beforeAll(async () => {
    prefix = `${newTestId()}:`;
    ({ privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" }));
  });

  afterAll(async () => {
    for (const view of views) await view.stop();
    const cleanup = new Redis(redisUrl);
    await cleanup.del(`${prefix}auth:revoked-sessions`);
    await cleanup.quit();
    for (const redis of opened) redis.disconnect();
  });

  it("verifies a token without a Redis command once it is known, and refuses it soon after another process revokes its session", async () => {
    const { redis, commands } = counted(connect());
    const { view, verify, refused } = await verifierWith(redis, 30_000);
    const sessionId = randomUUID();
    const token = await tokenFor(sessionId);
    expect(view.isCurrent).toBe(true);

    const before = commands();
    for (let index = 0; index < 20; index += 1) expect((await verify(token)).sessionId).toBe(sessionId);
    expect(commands() - before).toBe(0);

    await revokeInAnotherProcess(prefix, sessionId);
    await waitFor(() => refused(token), "the revoked session to be refused", 5_000);
    // Answered from memory: the copy is current and knows the session without asking Redis.
    expect(view.isCurrent).toBe(true);
    expect(view.isRevoked(sessionId)).toBe(true);
    expect(commands() - before).toBe(0);
    // Another session goes on.
    const other = await tokenFor(randomUUID());
    expect(await refused(other)).toBe(false);
  });

  it("catches a revocation whose message never came at the next resync", async () => {
    const { refused } = await verifierWith(connect(), 200);
    const sessionId = randomUUID();
    const token = await tokenFor(sessionId);
    expect(await refused(token)).toBe(false);
    // Written to the set with no message, as a lost message would leave it.
    await connect().zadd(`${prefix}auth:revoked-sessions`, Date.now() + 900_000, sessionId);
    await waitFor(() => refused(token), "the resync to bring the revocation", 5_000);
  });

  it("asks Redis while its subscription is down, and reads the set again once it is back", async () => {
    // A slow reconnection, so that the revocation below is made while the subscription is down.
    const redis = connect({ connectionName: `${prefix}cut`, retryStrategy: () => 2_000 });
    const { view, refused } = await verifierWith(redis, 60 * 60 * 1000);
    const sessionId = randomUUID();
    const token = await tokenFor(sessionId);
    expect(await refused(token)).toBe(false);

    const admin = connect();
    const clients = (await admin.client("LIST")) as string;
    const subscriber = clients
      .split("\n")
      .find((line) => line.includes(`name=${prefix}cut:revocations `) && line.includes("sub=1"));
    const id = /\bid=(\d+)/.exec(subscriber ?? "")?.[1];
    expect(id).toBeDefined();
    await admin.client("KILL", "ID", id!);
    await waitFor(() => !view.isCurrent, "the view to notice its subscription is gone", 5_000);

    // Written with no message (none could reach the view now): refused at once, by asking Redis.
    await admin.zadd(`${prefix}auth:revoked-sessions`, Date.now() + 900_000, sessionId);
    expect(await refused(token)).toBe(true);

    // Back: the set was read again on reconnection (the timer's resync is an hour away).
    await waitFor(() => view.isCurrent, "the subscription to come back", 10_000);
    expect(view.isRevoked(sessionId)).toBe(true);
  });

  it("waits for Redis at start with the service's retries, then hears revocations", async () => {
    const later = await PrivateRedis.reserve();
    try {
      // A Redis that is not there yet, as at a replica's start on a loaded machine.
      const redis = new Redis(later.url, {
        lazyConnect: true,
        connectionName: `${prefix}late`,
        retryStrategy: () => 100,
      });
      opened.push(redis);
      const logger = pino({ level: "silent" });
      const starting = LocalRevocations.start(new SessionRevocations(redis, prefix), redis, {
        retry: { timeoutMs: 20_000, logger },
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await later.resume();
      const view = await starting;
      views.push(view);
      expect(view.isCurrent).toBe(true);

      const sessionId = randomUUID();
      await new SessionRevocations(redis, prefix).revoke([sessionId], 900);
      await waitFor(() => view.isRevoked(sessionId) === true, "the revocation to be heard", 10_000);
    } finally {
      await later.pause();
    }
  });
});
