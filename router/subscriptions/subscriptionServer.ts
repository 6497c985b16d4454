import type http from "node:http";
import { randomUUID } from "node:crypto";
import {
  GraphQLError,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type FormattedExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";
import { RedisPubSub } from "graphql-redis-subscriptions";
import { useServer } from "graphql-ws/use/ws";
import { Redis } from "ioredis";
import { decodeJwt } from "jose";
import { WebSocketServer, type WebSocket } from "ws";
import { clientAddressOf, type TrustCheck } from "../../subgraphs/common/auth/trustProxy";
import type { VerifyAccessToken } from "../../subgraphs/common/auth/tokenVerifier";
import { bearerToken } from "../../subgraphs/common/auth/tokenVerifier";
import { DomainError, ErrorCode } from "../../subgraphs/common/errors";
import type { Logger } from "../../subgraphs/common/logger";
import type { RouterContext } from "../context";
import { rateLimitClient, type RateLimiter } from "../limits/rateLimit";
import { liveOrders, SubscriptionLimits, subscriptionRetryAfterSeconds, type SubscriptionContext } from "./liveOrders";
import { countRedisCommands } from "../../subgraphs/common/workCounters";

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  schema: GraphQLSchema;
  verifyAccessToken: VerifyAccessToken;
  /** Runs an operation through the gateway with this context. */
  execute(
    document: DocumentNode,
    variables: Record<string, unknown>,
    context: RouterContext,
  ): Promise<FormattedExecutionResult>;
  redisUrl: string;
  keyPrefix: string;
  logger: Logger;
  keepAliveMs: number;
  maxPerConnection: number;
  maxPerUser: number;
  /** Live subscriptions per client address. */
  maxPerAddress: number;
  /** Open sockets per signed-in user, and per client address (signed in or not yet). */
  maxSocketsPerUser: number;
  maxSocketsPerAddress: number;
  /** Largest WebSocket message, in bytes (the HTTP body limit): a bigger frame closes the socket unread. */
  maxPayloadBytes: number;
  /** TRUST_PROXY, compiled: which proxies may state the client's address. */
  trustProxy: TrustCheck;
  /** The router's per-client request limit: each socket opened and each operation sent counts as a request. */
  rateLimiter: RateLimiter;
  /** The router's operation limits (depth, cost, mutations), applied to every operation sent on a socket. */
  validationRules: readonly ValidationRule[];
}

/** Close codes a client can act on (graphql-ws uses 4400-4499 for the application). */
export const closeCodes = { unauthorized: 4401, tooManySubscriptions: 4429, tooManyConnections: 4429 } as const;

interface ConnectionState {
  subscription?: SubscriptionContext;
  expiry?: NodeJS.Timeout;
}

/**
 * A frame the client got wrong (over maxPayload, malformed) is ws's to answer, and it has: it
 * closed the socket with the matching code (1009, 1002) before emitting the error. Its listeners
 * would only repeat that, graphql-ws's on the console, for anyone who sends a large frame; the
 * router logs it as one structured line instead.
 */
function logProtocolErrors(socket: WebSocket, logger: Logger): void {
  const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    const error = args[0] as { code?: unknown; message?: string } | undefined;
    if (event === "error" && typeof error?.code === "string" && error.code.startsWith("WS_ERR_")) {
      logger.info({ code: error.code }, "closed a WebSocket that broke the protocol");
      return true;
    }
    return emit(event, ...args);
  }) as typeof socket.emit;
}

/** What the ws server keeps about a socket's upgrade request: who is on the other end. */
const addressOfSocket = new WeakMap<object, string>();

/**
 * Subscriptions on the router's own HTTP port and path (`graphql-ws` over WebSocket). The
 * gateway does not execute subscriptions, so the router authenticates `connection_init`,
 * validates each operation against the supergraph, and serves the order subscriptions from
 * Redis (see liveOrders); queries and mutations sent over the socket go through the gateway.
 * A socket is held to what HTTP is: the body size limit per message, the per-client rate limit
 * per socket and per operation, the depth, cost and mutation limits; and to caps of sockets and
 * subscriptions per user and per address.
 */
export function startSubscriptionServer(options: SubscriptionServerOptions) {
  const logger = options.logger.child({ module: "subscriptions" });
  const redisOptions = { maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(times * 200, 2000) };
  // A connection in subscriber mode cannot publish: graphql-redis-subscriptions wants two.
  const pubsub = new RedisPubSub({
    publisher: countRedisCommands(new Redis(options.redisUrl, { ...redisOptions, connectionName: "router-publisher" })),
    subscriber: countRedisCommands(
      new Redis(options.redisUrl, { ...redisOptions, connectionName: "router-subscriber" }),
    ),
  });
  const limits = new SubscriptionLimits(options.maxPerUser);
  const addressLimits = new SubscriptionLimits(options.maxPerAddress);
  const socketsPerUser = new SubscriptionLimits(options.maxSocketsPerUser);
  const socketsPerAddress = new SubscriptionLimits(options.maxSocketsPerAddress);
  const states = new WeakMap<object, ConnectionState>();
  // ws reads a frame's length first and closes the socket (1009) before buffering a frame over
  // maxPayload, so an oversized message is never held in memory, let alone parsed.
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: "/graphql",
    maxPayload: options.maxPayloadBytes,
  });
  wsServer.on("connection", (socket, request) => {
    const address = clientAddressOf(request, options.trustProxy);
    addressOfSocket.set(socket, address);
    logProtocolErrors(socket, logger);
    if (!socketsPerAddress.acquire(address)) {
      socket.close(closeCodes.tooManyConnections, `At most ${options.maxSocketsPerAddress} connections per address.`);
      return;
    }
    socket.once("close", () => socketsPerAddress.release(address));
    // Opening a socket is a request like any other for the per-client limit.
    void options.rateLimiter.take(rateLimitClient(undefined, address)).then((retryAfter) => {
      if (retryAfter !== null)
        socket.close(closeCodes.tooManyConnections, `Too many requests: try again in ${retryAfter} s.`);
    });
  });
  const validateWithLimits = (schema: GraphQLSchema, document: DocumentNode) =>
    validate(schema, document, [...specifiedRules, ...options.validationRules]);

  const routerContext = (subscription: SubscriptionContext): RouterContext => {
    const requestId = randomUUID();
    return {
      requestId,
      logger: logger.child({ requestId }),
      caller: subscription.caller,
      forwardedHeaders: {
        authorization: subscription.authorization,
        "x-request-id": requestId,
        "x-forwarded-for": subscription.clientAddress,
      },
    };
  };
  const subscribe = liveOrders({
    pubsub,
    keyPrefix: options.keyPrefix,
    limits,
    addressLimits,
    fetch: (document, variables, context) => options.execute(document, variables, routerContext(context)),
    // The token verified again: from the router's cache (expiry) and revocations in memory.
    sessionCheck: async (context) => {
      try {
        await options.verifyAccessToken(context.authorization.replace(/^Bearer\s+/i, ""));
        return null;
      } catch (error) {
        if (error instanceof DomainError && error.code === ErrorCode.UNAUTHENTICATED) return error.message;
        throw error;
      }
    },
  });

  const server = useServer<{ authorization?: string }, { state?: ConnectionState }>(
    {
      schema: options.schema,
      validate: validateWithLimits,
      async onConnect(ctx) {
        const socket = ctx.extra.socket;
        const header = ctx.connectionParams?.authorization;
        try {
          const token = bearerToken(typeof header === "string" ? header : undefined);
          if (!token) throw new GraphQLError('Send { "authorization": "Bearer <access token>" } in connection_init.');
          const caller = await options.verifyAccessToken(token);
          if (!socketsPerUser.acquire(caller.userId)) {
            socket.close(closeCodes.tooManyConnections, `At most ${options.maxSocketsPerUser} connections per user.`);
            return false;
          }
          socket.once("close", () => socketsPerUser.release(caller.userId));
          const state: ConnectionState = {
            subscription: {
              caller,
              authorization: `Bearer ${token}`,
              clientAddress: addressOfSocket.get(socket) ?? "unknown",
              closeUnauthenticated: (reason) => socket.close(closeCodes.unauthorized, reason.slice(0, 120)),
            },
          };
          const expiresAt = (decodeJwt(token).exp ?? 0) * 1000;
          // The subscription lives as long as the token it was opened with.
          state.expiry = setTimeout(
            () => socket.close(closeCodes.unauthorized, "The access token has expired: reconnect with a fresh token."),
            Math.max(0, expiresAt - Date.now()),
          );
          states.set(ctx.extra, state);
          return true;
        } catch (error) {
          const reason =
            error instanceof DomainError || error instanceof GraphQLError
              ? error.message
              : "Signing in is unavailable right now.";
          socket.close(closeCodes.unauthorized, reason.slice(0, 120));
          return false;
        }
      },
      onClose(ctx) {
        const state = states.get(ctx.extra);
        if (state?.expiry) clearTimeout(state.expiry);
      },
      async onSubscribe(ctx, id) {
        // graphql-ws has already entered this subscription's id when it asks.
        const others = Object.keys(ctx.subscriptions).filter((each) => each !== id).length;
        if (others >= options.maxPerConnection) {
          return [
            new GraphQLError(
              `At most ${options.maxPerConnection} subscriptions per connection: end one, then try again.`,
              {
                extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: subscriptionRetryAfterSeconds },
              },
            ),
          ];
        }
        // Each operation sent on a socket is a request, counted with the caller's HTTP requests.
        const caller = states.get(ctx.extra)?.subscription?.caller;
        const retryAfter = await options.rateLimiter.take(
          rateLimitClient(caller?.userId, addressOfSocket.get(ctx.extra.socket)),
        );
        if (retryAfter !== null)
          return [
            new GraphQLError(options.rateLimiter.message(retryAfter), {
              extensions: { code: ErrorCode.RATE_LIMITED, retryAfter },
            }),
          ];
        return undefined;
      },
      context: (ctx) => states.get(ctx.extra)?.subscription as unknown as Record<string, unknown>,
      subscribe: (args: ExecutionArgs) => subscribe(args),
      execute: (args: ExecutionArgs) => {
        const context = args.contextValue as SubscriptionContext;
        return options.execute(
          args.document,
          (args.variableValues ?? {}) as Record<string, unknown>,
          routerContext(context),
        ) as never;
      },
    },
    wsServer,
    options.keepAliveMs,
  );

  return {
    pubsub,
    limits,
    addressLimits,
    socketsPerUser,
    socketsPerAddress,
    /** Closes every connection (ending their subscriptions) and the Redis connections. */
    async stop(): Promise<void> {
      for (const client of wsServer.clients) client.close(1001, "The router is stopping.");
      await server.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      // Not awaited: quitting waits for Redis, which may be the reason the router is stopping.
      pubsub.close().catch(() => undefined);
    },
  };
}
