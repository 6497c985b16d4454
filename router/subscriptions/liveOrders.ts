import {
  getOperationAST,
  GraphQLError,
  Kind,
  valueFromAST,
  GraphQLID,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FormattedExecutionResult,
} from "graphql";
import type { RedisPubSub } from "graphql-redis-subscriptions";
import type { DocumentNode } from "graphql";
import type { Caller } from "../../subgraphs/common/auth/caller";
import { ErrorCode } from "../../subgraphs/common/errors";
import { customerOrdersChannel, orderChannel, type OrderUpdate } from "../../subgraphs/common/orderUpdates";
import { messageOrder, orderIdVariable, orderQueryFor, responseKey, statusProbe } from "./orderQuery";
import { RedisChannel } from "./redisChannel";

/** Who a WebSocket connection belongs to, as `connection_init` proved it. */
export interface SubscriptionContext {
  caller: Caller;
  authorization: string;
  /** The client's address (through trusted proxies), for the limits per address. */
  clientAddress: string;
  /** Ends the connection when the caller's session has ended. */
  closeUnauthenticated(reason: string): void;
}

/** Runs a query through the gateway as the connection's caller. */
export type GatewayFetch = (
  document: DocumentNode,
  variables: Record<string, unknown>,
  context: SubscriptionContext,
) => Promise<FormattedExecutionResult>;

/**
 * Whether the connection's session still stands (its token unexpired, its session not revoked),
 * checked without a round trip (the router's verified tokens and revocations in memory): the
 * reason when it has ended, null while it stands. Rejects when it cannot tell.
 */
export type SessionCheck = (context: SubscriptionContext) => Promise<string | null>;

export interface LiveOrdersOptions {
  pubsub: RedisPubSub;
  keyPrefix: string;
  fetch: GatewayFetch;
  /**
   * With it, a message whose selection uses only what the change itself carries (see
   * `answerableFromChange`) is answered from the Redis message after this check, without the
   * gateway; without it, every message goes through the gateway.
   */
  sessionCheck?: SessionCheck;
  /** Live subscriptions per user in this router. */
  limits: SubscriptionLimits;
  /** Live subscriptions per client address in this router. */
  addressLimits: SubscriptionLimits;
}

/**
 * At most so many of something (live subscriptions, open sockets) per key (a user, an address)
 * in this router; each connection has its own bound on subscriptions too.
 */
export class SubscriptionLimits {
  private readonly perKey = new Map<string, number>();
  constructor(readonly maxPerUser: number) {}

  acquire(key: string): boolean {
    const current = this.perKey.get(key) ?? 0;
    if (current >= this.maxPerUser) return false;
    this.perKey.set(key, current + 1);
    return true;
  }

  release(key: string): void {
    const current = (this.perKey.get(key) ?? 1) - 1;
    if (current <= 0) this.perKey.delete(key);
    else this.perKey.set(key, current);
  }

  active(key: string): number {
    return this.perKey.get(key) ?? 0;
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

const failure = (message: string, code: ErrorCode, extensions: Record<string, unknown> = {}): ExecutionResult => ({
  errors: [new GraphQLError(message, { extensions: { code, ...extensions } })],
});

/**
 * `retryAfter` of the subscription limits. They bound how many subscriptions run at once, not
 * how many are asked for in a window, so a place frees as soon as one ends: a second is when
 * trying again can make sense.
 */
export const subscriptionRetryAfterSeconds = 1;

/**
 * Where each status stands in the checkout saga. The orders service's state machine never goes
 * back (PENDING → AWAITING_PAYMENT → CONFIRMED → PARTIALLY_SHIPPED → SHIPPED → DELIVERED, and CANCELLED or REFUNDED
 * from several of them, both final, so an order reaches at most one of the two): an order enters
 * each status at most once, and a status ranked at or below one already told is an older change.
 * router/__tests__/liveOrders.test.ts holds this against the state machine itself.
 *
 * The rank, not the changes' `at`: the Order type has no `updatedAt` to compare the first read
 * with, and the times of `statusHistory` and of a change are stamped apart, so they cannot be
 * told apart reliably within a millisecond.
 */
export const sagaRank: Readonly<Record<string, number>> = {
  PENDING: 0,
  AWAITING_PAYMENT: 1,
  CONFIRMED: 2,
  PARTIALLY_SHIPPED: 3,
  SHIPPED: 4,
  DELIVERED: 5,
  CANCELLED: 6,
  REFUNDED: 6,
};

/**
 * The last status told for each order of one stream. A change is told only when it is newer
 * than that: a repeated change, or an older one that arrives late (queued while the first read
 * was in flight, or published out of order by two replicas), is dropped, so a client never sees
 * an order go back.
 */
export class ToldStatuses {
  private readonly last = new Map<string, string>();
  /** Steps told per order (parcels shipped and moving), which leave the status as it is. */
  private readonly steps = new Map<string, Set<string>>();

  /** Records what the first message told. */
  told(orderId: string, status: string): void {
    this.last.set(orderId, status);
  }

  /** Whether `update` is newer than what was told of its order; if so, it now counts as told. */
  accept(update: Pick<OrderUpdate, "orderId" | "status" | "step">): boolean {
    if (update.step !== undefined) {
      // A parcel's own steps go forward by themselves (the orders service drops older carrier
      // events), so each is told once, whatever the order's status is meanwhile.
      const told = this.steps.get(update.orderId) ?? new Set<string>();
      if (told.has(update.step) || told.size >= 1000) return false;
      told.add(update.step);
      this.steps.set(update.orderId, told);
      return true;
    }
    const previous = this.last.get(update.orderId);
    if (previous !== undefined) {
      const rank = sagaRank[update.status];
      const previousRank = sagaRank[previous];
      // A status the router does not know yet cannot be placed: told unless it repeats.
      const newer = rank === undefined || previousRank === undefined ? update.status !== previous : rank > previousRank;
      if (!newer) return false;
    }
    this.last.set(update.orderId, update.status);
    return true;
  }
}

/** Fields of an order that a change carries itself, and how each is read from it. */
const carriedByChange: Readonly<Record<string, (update: OrderUpdate) => unknown>> = {
  id: (update) => update.orderId,
  number: (update) => update.number,
  status: (update) => update.status,
  cancellationReason: (update) => update.cancellationReason,
  __typename: () => "Order",
};

/**
 * Whether the subscription's selection uses only fields a change carries (`id`, `number`,
 * `status`, `cancellationReason`, `__typename`, under any alias), plain: no arguments,
 * directives or fragments. Such a message needs nothing the gateway would add.
 */
export function answerableFromChange(root: FieldNode): boolean {
  const selections = root.selectionSet?.selections ?? [];
  return (
    selections.length > 0 &&
    selections.every(
      (selection) =>
        selection.kind === Kind.FIELD &&
        Object.prototype.hasOwnProperty.call(carriedByChange, selection.name.value) &&
        !selection.arguments?.length &&
        !selection.directives?.length &&
        !selection.selectionSet,
    )
  );
}

/** The order as the change tells it, in the subscription's selection. */
export function orderFromChange(root: FieldNode, update: OrderUpdate): Record<string, unknown> {
  const order: Record<string, unknown> = {};
  for (const selection of root.selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) order[responseKey(selection)] = carriedByChange[selection.name.value]?.(update);
  }
  return order;
}

/**
 * What one change tells the subscriber: answered from the change itself when the selection
 * allows it and the session still stands (checked in memory), through the gateway otherwise
 * (and when the session cannot be checked in memory).
 */
async function resultOfChange(
  options: LiveOrdersOptions,
  context: SubscriptionContext,
  root: FieldNode,
  key: string,
  update: OrderUpdate,
  fetchOrder: (orderId: string) => Promise<FormattedExecutionResult>,
): Promise<FormattedExecutionResult> {
  if (options.sessionCheck && answerableFromChange(root)) {
    let ended: string | null | undefined;
    try {
      ended = await options.sessionCheck(context);
    } catch {
      ended = undefined;
    }
    if (ended) return { errors: [{ message: ended, extensions: { code: ErrorCode.UNAUTHENTICATED } }] };
    if (ended === null) return { data: { [key]: orderFromChange(root, update) } };
  }
  return fetchOrder(update.orderId);
}

/** The gateway's formatted result as graphql-ws sends it (it serialises GraphQLError instances). */
function executionResult(
  data: Record<string, unknown> | null | undefined,
  errors: FormattedExecutionResult["errors"],
): ExecutionResult {
  return {
    ...(data !== undefined ? { data } : {}),
    ...(errors?.length
      ? {
          errors: errors.map(
            (error) => new GraphQLError(error.message, { path: error.path, extensions: error.extensions }),
          ),
        }
      : {}),
  };
}

function ended(result: FormattedExecutionResult, context: SubscriptionContext): boolean {
  const unauthenticated = result.errors?.find((error) => error.extensions?.code === ErrorCode.UNAUTHENTICATED);
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
    const root = operation?.selectionSet.selections.find(
      (selection): selection is FieldNode => selection.kind === Kind.FIELD,
    );
    if (!operation || !root)
      return failure("The subscription has no field to subscribe to.", ErrorCode.GRAPHQL_VALIDATION_FAILED);
    const query = orderQueryFor(args.document, operation, root);
    const variables = { ...(args.variableValues ?? {}) };
    const fetchOrder = (orderId: string) => options.fetch(query, { ...variables, [orderIdVariable]: orderId }, context);
    const key = responseKey(root);
    if (root.name.value === "orderStatusChanged") {
      const argument = root.arguments?.find((each) => each.name.value === "orderId");
      const orderId = argument
        ? (valueFromAST(argument.value, GraphQLID, args.variableValues ?? undefined) as string | undefined)
        : undefined;
      if (!orderId) return failure("`orderId` is required.", ErrorCode.BAD_USER_INPUT);
      return limited(options, context, (signal) =>
        watchOrder(options, context, signal, orderId, key, root, fetchOrder),
      );
    }
    if (root.name.value === "myOrderUpdates")
      return limited(options, context, (signal) => watchCustomer(options, context, signal, key, root, fetchOrder));
    return failure(`Unknown subscription field ${root.name.value}.`, ErrorCode.GRAPHQL_VALIDATION_FAILED);
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
      yield failure(
        `At most ${options.limits.maxPerUser} live subscriptions per user: end one, then try again.`,
        ErrorCode.RATE_LIMITED,
        {
          retryAfter: subscriptionRetryAfterSeconds,
        },
      );
      return;
    }
    if (!options.addressLimits.acquire(context.clientAddress)) {
      options.limits.release(context.caller.userId);
      yield failure(
        `At most ${options.addressLimits.maxPerUser} live subscriptions per address: end one, then try again.`,
        ErrorCode.RATE_LIMITED,
        { retryAfter: subscriptionRetryAfterSeconds },
      );
      return;
    }
    try {
      yield* stream(signal);
    } finally {
      options.limits.release(context.caller.userId);
      options.addressLimits.release(context.clientAddress);
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
      if (!ended(first, context))
        yield first.errors?.length
          ? executionResult(null, first.errors)
          : failure("No order has this id.", ErrorCode.NOT_FOUND);
      return;
    }
    // The first message tells the current status; after it, only changes newer than the last told.
    const told = new ToldStatuses();
    told.told(orderId, String(order[statusProbe]));
    yield executionResult({ [key]: messageOrder(order, root) }, first.errors);
    // `orderStatusChanged` tells statuses, each once: a parcel's steps (`step`) are for `myOrderUpdates`.
    const isNew = (update: OrderUpdate) => told.accept({ orderId, status: update.status });
    for await (const { update, result } of resolveChanges(channel, isNew, async (update) => ({
      update,
      result: await resultOfChange(options, context, root, key, { ...update, orderId }, fetchOrder),
    }))) {
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
  const channel = await RedisChannel.open<OrderUpdate>(
    options.pubsub,
    customerOrdersChannel(options.keyPrefix, context.caller.userId),
  );
  signal.onStop(() => channel.close());
  const told = new ToldStatuses();
  const isNew = (update: OrderUpdate) => told.accept(update);
  try {
    for await (const { update, result } of resolveChanges(channel, isNew, async (update) => ({
      update,
      result: await resultOfChange(options, context, root, key, update, fetchOrder),
    }))) {
      if (ended(result, context)) return;
      const current = result.data?.[key] as Record<string, unknown> | null | undefined;
      if (current) yield executionResult({ [key]: messageOrder(current, root, update) }, result.errors);
    }
  } finally {
    channel.close();
  }
}
