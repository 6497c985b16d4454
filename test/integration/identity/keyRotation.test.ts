import { generateKeyPairSync } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { decodeProtectedHeader, type JSONWebKeySet } from "jose";
import type { RunningRouter } from "../../../router";
import type { RunningSubgraph } from "../../../subgraphs/common/server/startSubgraph";
import { createNotificationsService, type NotificationsDb } from "../../../subgraphs/notifications";
import { createUsersService, type UsersDb, type UsersEnvironment } from "../../../subgraphs/users";
import { graphql } from "../../support/graphqlClient";
import { login, registerCustomer, type Session } from "../../support/identity";
import { newTestId } from "../../support/testNames";
import { startTestRouter } from "../../support/testRouter";
import { cleanUpTest, startTestSubgraph } from "../../support/testSubgraph";

function ed25519Pems() {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** A port free now, so that the users service comes back where the others look for its keys. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Through the router, answered by the users and the notifications subgraphs, each verifying the token itself.
const meEverywhere = `query { me { id email notificationPreferences { email } } }`;
const meAtUsers = `query { me { id } }`;

describe("signing keys rotate without signing anyone out", () => {
  const testId = newTestId();
  const keyA = ed25519Pems();
  const keyB = ed25519Pems();
  let port: number;
  let users: RunningSubgraph<UsersDb, UsersEnvironment> | undefined;
  let notifications: RunningSubgraph<NotificationsDb> | undefined;
  let router: RunningRouter | undefined;

  beforeAll(async () => {
    port = await freePort();
  });

  afterAll(async () => {
    await router?.stop();
    await cleanUpTest(testId, [users, notifications]);
  });

  const jwksUrl = () => `http://127.0.0.1:${port}/.well-known/jwks.json`;

  async function restartUsers(keys: Record<string, string>) {
    await users?.stop();
    users = await startTestSubgraph(createUsersService(), testId, { ...keys, PORT: String(port) });
    return users;
  }

  /** A router that has never fetched a key, in front of the users and notifications subgraphs. */
  async function freshRouter() {
    await router?.stop();
    router = await startTestRouter(
      { users: users!.url, notifications: notifications!.url },
      { USERS_JWKS_URL: jwksUrl(), REDIS_KEY_PREFIX: `${testId}:` },
    );
    return router;
  }

  async function accepted(session: Session, url: string, query = meEverywhere): Promise<boolean> {
    const result = await graphql(url, query, { token: session.accessToken });
    if (result.errors?.length) return false;
    return (result.data as { me?: { id: string } }).me?.id === session.user.id;
  }

  it("verifies tokens of the previous key everywhere during the rotation, and signs new ones with the new key", async () => {
    const before = await restartUsers({ JWT_PRIVATE_KEY: keyA.privatePem });
    const customer = await registerCustomer(before.url);
    const kidA = decodeProtectedHeader(customer.accessToken).kid;
    // It has verified no token yet: it learns the keys from the JWKS when it meets one.
    notifications = await startTestSubgraph(createNotificationsService(), testId, { USERS_JWKS_URL: jwksUrl() });

    // Rotation: B signs, A is still published.
    const during = await restartUsers({ JWT_PRIVATE_KEY: keyB.privatePem, JWT_PREVIOUS_PUBLIC_KEY: keyA.publicPem });
    const jwks = (await (await fetch(jwksUrl())).json()) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys[1]).toMatchObject({ kid: kidA, kty: "OKP", crv: "Ed25519" });
    expect(jwks.keys.every((key) => !("d" in key))).toBe(true);
    const routerDuring = await freshRouter();
    expect(await accepted(customer, routerDuring.url)).toBe(true);
    expect(await accepted(customer, during.url, meAtUsers)).toBe(true);
    const signedByB = await login(routerDuring.url, customer.user.email, customer.password);
    const kidB = decodeProtectedHeader(signedByB.accessToken).kid;
    expect(kidB).toBe(jwks.keys[0]!.kid);
    expect(kidB).not.toBe(kidA);
    expect(await accepted(signedByB, routerDuring.url)).toBe(true);

    // Once A's tokens have expired, A is dropped: a token it signed no longer passes.
    const after = await restartUsers({ JWT_PRIVATE_KEY: keyB.privatePem });
    const routerAfter = await freshRouter();
    expect(await accepted(customer, routerAfter.url)).toBe(false);
    expect(await accepted(customer, after.url, meAtUsers)).toBe(false);
    expect(await accepted(signedByB, routerAfter.url)).toBe(true);
  });
});
