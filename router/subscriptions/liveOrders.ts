import { getOperationAST, GraphQLError, Kind, valueFromAST, GraphQLID, type ExecutionArgs, type ExecutionResult, type FieldNode, type FormattedExecutionResult } from "graphql";
import type { RedisPubSub } from "graphql-redis-subscriptions";
import type { DocumentNode } from "graphql";
import type { Caller } from "../../subgraphs/common/auth/caller";
import { customerOrdersChannel, orderChannel, type OrderUpdate } from "../../subgraphs/common/orderUpdates";
import { messageOrder, orderIdVariable, orderQueryFor, responseKey, statusProbe } from "./orderQuery";
import { RedisChannel } from "./redisChannel";

/** Who a WebSocket connection belongs to, as `connection_init` proved it. */
export interface SubscriptionContext {
  caller: Caller;
  authorization: string;
  /** Ends the connection when the caller's session has ended. */
  closeUnauthenticated(reason: string): void;
}

/** Runs a query through the gateway as the connection's caller. */
export type GatewayFetch = (document: DocumentNode, variables: Record<string, unknown>, context: SubscriptionContext) => Promise<FormattedExecutionResult>;

export interface LiveOrdersOptions {
  pubsub: RedisPubSub;
  keyPrefix: string;
  fetch: GatewayFetch;
  limits: SubscriptionLimits;
}

/** At most so many live subscriptions per user in this router; each connection has its own bound too. */
export class SubscriptionLimits {
  private readonly perUser = new Map<string, number>();
  constructor(readonly maxPerUser: number) {}

  acquire(userId: string): boolean {
    const current = this.perUser.get(userId) ?? 0;
    if (current >= this.maxPerUser) return false;
    this.perUser.set(userId, current + 1);
    return true;
  }

  release(userId: string): void {
    const current = (this.perUser.get(userId) ?? 1) - 1;
    if (current <= 0) this.perUser.delete(userId);
    else this.perUser.set(userId, current);
  }

  active(userId: string): number {
    return this.perUser.get(userId) ?? 0;
  }
}

/** Messages fetched at once when changes arrive faster than they are resolved (order is kept). */
const batchSize = 32;

/**
 * Waits for the next changes on the channel and resolves the new ones concurrently, yielding
 * their results in the order the changes arrived: a burst of changes costs one round of
 * gateway fetches, not one after another.
 */
async function* resolveChanges<R>(
  channel: RedisChannel<OrderUpdate>,
  isNew: (update: OrderUpdate) => boolean,
  resolve: (update: OrderUpdate) => Promise<R>,
): AsyncGenerator<R> {
  for (;;) {
    const next = await channel.next();
    if (next.done) return;
    const fresh = [next.value, ...channel.takeQueued(batchSize - 1)].filter(isNew);
    for (const result of await Promise.all(fresh.map(resolve))) yield result;
  }
}

const failure = (message: string, code: string): ExecutionResult => ({ errors: [new GraphQLError(message, { extensions: { code } })] });

/** The gateway's formatted result as graphql-ws sends it (it serialises GraphQLError instances). */
function executionResult(data: Record<string, unknown> | null | undefined, errors: FormattedExecutionResult["errors"]): ExecutionResult {
  return {
    ...(data !== undefined ? { data } : {}),
    ...(errors?.length ? { errors: errors.map((error) => new GraphQLError(error.message, { path: error.path, extensions: error.extensions })) } : {}),
  };
}

function ended(result: FormattedExecutionResult, context: SubscriptionContext): boolean {
  const unauthenticated = result.errors?.find((error) => error.extensions?.code === "UNAUTHENTICATED");
  if (unauthenticated) context.closeUnauthenticated(unauthenticated.message);
  return !!unauthenticated;
}

/**
 * The router's own `subscribe`: the gateway does not execute subscriptions, so each change of a
 * watched order, heard on Redis, is turned into a query of the client's selection through the
 * gateway, as the caller. Every message is therefore authorized by the subgraphs, like any query.
 */
export function liveOrders(options: LiveOrdersOptions) {
  return async (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> => {
    const context = args.contextValue as SubscriptionContext;
    const operation = getOperationAST(args.document, args.operationName);
    const root = operation?.selectionSet.selections.find((selection): selection is FieldNode => selection.kind === Kind.FIELD);
    if (!operation || !root) return failure("The subscription has no field to subscribe to.", "GRAPHQL_VALIDATION_FAILED");
    const query = orderQueryFor(args.document, operation, root);
    const variables = { ...(args.variableValues ?? {}) };
    const fetchOrder = (orderId: string) => options.fetch(query, { ...variables, [orderIdVariable]: orderId }, context);
    const key = responseKey(root);
    if (root.name.value === "orderStatusChanged") {
      const argument = root.arguments?.find((each) => each.name.value === "orderId");
      const orderId = argument ? (valueFromAST(argument.value, GraphQLID, args.variableValues ?? undefined) as string | undefined) : undefined;
      if (!orderId) return failure("`orderId` is required.", "BAD_USER_INPUT");
      return limited(options, context, (signal) => watchOrder(options, context, signal, orderId, key, root, fetchOrder));
    }
    if (root.name.value === "myOrderUpdates") return limited(options, context, (signal) => watchCustomer(options, context, signal, key, root, fetchOrder));
    return failure(`Unknown subscription field ${root.name.value}.`, "GRAPHQL_VALIDATION_FAILED");
  };
}

/** What a stream must undo when the client stops listening: its Redis subscription. */
class StopSignal {
  private stops: Array<() => void> = [];
  stopped = false;
  onStop(stop: () => void): void {
    if (this.stopped) stop();
    else this.stops.push(stop);
  }
  stop(): void {
    this.stopped = true;
    for (const stop of this.stops.splice(0)) stop();
  }
}

/**
 * Holds one of the user's subscription places for as long as the stream runs, and ends the
 * stream at once when the client unsubscribes or goes away: an async generator waiting for the
 * next Redis message would otherwise only notice at the next message, keeping its Redis
 * subscription (and the place) until then.
 */
function limited(
  options: LiveOrdersOptions,
  context: SubscriptionContext,
  stream: (signal: StopSignal) => AsyncGenerator<ExecutionResult>,
): AsyncGenerator<ExecutionResult> {
  const signal = new StopSignal();
  async function* run(): AsyncGenerator<ExecutionResult> {
    if (!options.limits.acquire(context.caller.userId)) {
      yield failure(`At most ${options.limits.maxPerUser} live subscriptions per user.`, "RATE_LIMITED");
      return;
    }
    try {
      yield* stream(signal);
    } finally {
      options.limits.release(context.caller.userId);
    }
  }
  const generator = run();
  const stop = generator.return.bind(generator);
  return Object.assign(generator, {
    return(value?: unknown) {
      signal.stop();
      return stop(value as undefined);
    },
  });
}

async function* watchOrder(
  options: LiveOrdersOptions,
  context: SubscriptionContext,
  signal: StopSignal,
  orderId: string,
  key: string,
  root: FieldNode,
  fetchOrder: (orderId: string) => Promise<FormattedExecutionResult>,
): AsyncGenerator<ExecutionResult> {
  // Listen before reading the order, so that no change between the two is missed.
  const channel = await RedisChannel.open<OrderUpdate>(options.pubsub, orderChannel(options.keyPrefix, orderId));
  signal.onStop(() => channel.close());
  try {
    const first = await fetchOrder(orderId);
    const order = first.data?.[key] as Record<string, unknown> | null | undefined;
    if (!order) {
      if (!ended(first, context)) yield first.errors?.length ? executionResult(null, first.errors) : failure("No order has this id.", "NOT_FOUND");
      return;
    }
    // A status is told once: the first message tells the current one, a repeated change none.
    const told = new Set<string>([String(order[statusProbe])]);
    yield executionResult({ [key]: messageOrder(order, root) }, first.errors);
    const isNew = (update: OrderUpdate) => !told.has(update.status) && !!told.add(update.status);
    for await (const { update, result } of resolveChanges(channel, isNew, async (update) => ({ update, result: await fetchOrder(orderId) }))) {
      if (ended(result, context)) return;
      const current = result.data?.[key] as Record<string, unknown> | null | undefined;
      yield executionResult(current ? { [key]: messageOrder(current, root, update) } : null, result.errors);
    }
  } finally {
    channel.close();
  }
}

async function* watchCustomer(
  options: LiveOrdersOptions,
  context: SubscriptionContext,
  signal: StopSignal,
  key: string,
  root: FieldNode,
  fetchOrder: (orderId: string) => Promise<FormattedExecutionResult>,
): AsyncGenerator<ExecutionResult> {
  const channel = await RedisChannel.open<OrderUpdate>(options.pubsub, customerOrdersChannel(options.keyPrefix, context.caller.userId));
  signal.onStop(() => channel.close());
  const told = new Set<string>();
  const isNew = (update: OrderUpdate) => {
    const change = `${update.orderId}:${update.status}`;
    return !told.has(change) && !!told.add(change);
  };
  try {
    for await (const { update, result } of resolveChanges(channel, isNew, async (update) => ({ update, result: await fetchOrder(update.orderId) }))) {
      if (ended(result, context)) return;
      const current = result.data?.[key] as Record<string, unknown> | null | undefined;
      if (current) yield executionResult({ [key]: messageOrder(current, root, update) }, result.errors);
    }
  } finally {
    channel.close();
  }
}
