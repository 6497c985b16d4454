import { randomUUID } from "node:crypto";
import { createClient } from "graphql-ws";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { customerOrdersChannel } from "../../subgraphs/common/orderUpdates";
import { registerCustomer, type Session } from "../../test/support/identity";
import { collect, subscriptionClient } from "../../test/support/subscriptionClient";
import { startTestRouter } from "../../test/support/testRouter";
import { startServices, type TestServices } from "../../test/support/testServices";
import { waitFor } from "../../test/support/waitFor";
import type { RunningRouter } from "../startRouter";

/** A raw graphql-ws socket: what arrives, and how it closed. */
function rawSocket(httpUrl: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(httpUrl.replace(/^http/, "ws"), "graphql-transport-ws", { headers });
  const received: Array<{ type: string; payload?: unknown }> = [];
  const state: { closed?: { code: number; reason: string }; open: boolean } = { open: false };
  socket.on("open", () => (state.open = true));
  socket.on("message", (data: Buffer) => received.push(JSON.parse(data.toString()) as { type: string }));
  socket.on("close", (code: number, reason: Buffer) => (state.closed = { code, reason: reason.toString() }));
  socket.on("error", () => undefined);
  return { socket, received, state };
}

describe("a WebSocket is held to what HTTP is", () => {
  let services: TestServices<never>;
  const routers: RunningRouter[] = [];
  let customers: Session[];
  let redis: Redis;

  /** A router of its own (its own Redis keys, so the per-client counts of one test do not reach another). */
  async function router(settings: Record<string, string>): Promise<RunningRouter & { keyPrefix: string }> {
    const keyPrefix = `${services.testId}-${randomUUID().slice(0, 8)}:`;
    const started = await startTestRouter(
      { users: services.users.url },
      { USERS_JWKS_URL: services.shared.USERS_JWKS_URL!, REDIS_KEY_PREFIX: keyPrefix, ...settings },
    );
    routers.push(started);
    return Object.assign(started, { keyPrefix });
  }

  beforeAll(async () => {
    services = await startServices([]);
    redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    customers = await Promise.all(Array.from({ length: 3 }, () => registerCustomer(services.router.url)));
  });

  afterAll(async () => {
    redis?.disconnect();
    for (const each of routers) await each.stop();
    await services?.cleanUp();
  });

  it("closes a socket whose message is over the body limit (1009), before reading it", async () => {
    const strict = await router({ MAX_REQUEST_BYTES: "2048" });
    const { socket, received, state } = rawSocket(strict.url);
    await waitFor(() => state.open, "the socket to open");
    socket.send(
      JSON.stringify({
        type: "connection_init",
        payload: { authorization: `Bearer ${customers[0]!.accessToken}`, padding: "x".repeat(4096) },
      }),
    );
    await waitFor(() => state.closed, "the socket to close");
    expect(state.closed?.code).toBe(1009);
    expect(received).toEqual([]);
  });

  it("holds operations sent on a socket to the mutation limits", async () => {
    const client = subscriptionClient((await router({})).url, customers[0]!.accessToken);
    const logins = [0, 1, 2]
      .map((n) => `l${n}: login(input: { email: "nobody${n}@x.example", password: "password-${n}" }) { accessToken }`)
      .join(" ");
    const result = collect(client, `mutation { ${logins} }`);
    await waitFor(() => result.messages.length > 0 || result.error, "the answer");
    await client.dispose();
    expect((result.error as Array<{ extensions?: object }>)?.[0]?.extensions ?? result.messages).toMatchObject({
      code: "GRAPHQL_VALIDATION_FAILED",
      limit: "expensiveMutations",
      actual: 3,
    });
  });

  /** Whether the customer's live-updates channel of `router` has a listener: a subscription holds its socket. */
  const listening = async (router: { keyPrefix: string }, customer: Session) =>
    Number(
      (
        (await redis.pubsub("NUMSUB", customerOrdersChannel(router.keyPrefix, customer.user.id))) as [string, number]
      )[1],
    ) === 1;

  it("counts every operation sent on a socket against the caller's rate limit", async () => {
    const limited = await router({ RATE_LIMIT_REQUESTS: "3", RATE_LIMIT_WINDOW_SECONDS: "60" });
    const client = subscriptionClient(limited.url, customers[1]!.accessToken);
    // The first operation: a subscription, which keeps the one socket open.
    const held = collect(client, "subscription { myOrderUpdates { id } }");
    await waitFor(() => listening(limited, customers[1]!), "the subscription to listen");
    const answers = [];
    for (let n = 0; n < 3; n += 1) {
      const answer = collect(client, "{ __typename }");
      await waitFor(() => answer.completed || answer.error, "the answer");
      answers.push(answer);
    }
    held.stop();
    await client.dispose();
    expect(answers.slice(0, 2).map((answer) => answer.messages)).toEqual(
      Array(2).fill([{ data: { __typename: "Query" } }]),
    );
    expect((answers[2]!.error as Array<{ extensions?: object }>)[0]?.extensions).toMatchObject({
      code: "RATE_LIMITED",
      retryAfter: expect.any(Number),
    });
  });

  it("caps the sockets one user holds", async () => {
    const capped = await router({ MAX_SOCKETS_PER_USER: "2" });
    const connect = () => {
      const state: { connected: boolean; closed?: { code: number; reason: string } } = { connected: false };
      const client = createClient({
        url: capped.url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${customers[2]!.accessToken}` },
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => undefined,
        on: {
          connected: () => (state.connected = true),
          closed: (event) => (state.closed = event as { code: number; reason: string }),
        },
      });
      return { client, state };
    };
    // One after another: each is acknowledged (or refused) before the next connects.
    const sockets: Array<ReturnType<typeof connect>> = [];
    for (let n = 0; n < 3; n += 1) {
      const socket = connect();
      sockets.push(socket);
      await waitFor(() => socket.state.connected || socket.state.closed, "the connection");
    }
    expect(sockets.map(({ state }) => state.connected)).toEqual([true, true, false]);
    expect(sockets[2]!.state.closed).toMatchObject({ code: 4429, reason: "At most 2 connections per user." });
    for (const { client } of sockets) await client.dispose();
  });

  it("caps the sockets of one address, whatever X-Forwarded-For it writes", async () => {
    const capped = await router({ MAX_SOCKETS_PER_ADDRESS: "3", TRUST_PROXY: "false" });
    const sockets: Array<ReturnType<typeof rawSocket>> = [];
    for (let n = 0; n < 4; n += 1) {
      const opened = rawSocket(capped.url, { "x-forwarded-for": `203.0.113.${n + 1}` });
      sockets.push(opened);
      await waitFor(() => opened.state.open || opened.state.closed, "the socket to open");
    }
    await waitFor(() => sockets[3]!.state.closed, "the fourth socket to be closed");
    expect(sockets[3]!.state.closed).toMatchObject({ code: 4429, reason: "At most 3 connections per address." });
    expect(sockets.slice(0, 3).map((each) => each.state.closed)).toEqual([undefined, undefined, undefined]);
    for (const { socket } of sockets) socket.close();
  });

  it("caps the live subscriptions of one address", async () => {
    const capped = await router({ MAX_SUBSCRIPTIONS_PER_ADDRESS: "2" });
    const clients = customers.map((customer) => subscriptionClient(capped.url, customer.accessToken));
    const streams: Array<ReturnType<typeof collect>> = [];
    for (const [index, client] of clients.entries()) {
      streams.push(collect(client, "subscription { myOrderUpdates { id status } }"));
      // The first two hold their places (they listen on Redis) before the third asks for one.
      if (index < 2) await waitFor(() => listening(capped, customers[index]!), "the subscription to listen");
    }
    await waitFor(() => streams[2]!.messages.length > 0, "the third subscription's answer");
    expect(streams[2]!.messages[0]?.errors?.[0]).toMatchObject({
      message: "At most 2 live subscriptions per address: end one, then try again.",
      extensions: { code: "RATE_LIMITED" },
    });
    expect(streams[0]!.messages).toEqual([]);
    for (const client of clients) await client.dispose();
  });
});
