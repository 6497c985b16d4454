import { AsyncLocalStorage } from "node:async_hooks";
import type pg from "pg";

/**
 * Requests first on the orders pool: a customer waiting on `placeOrder` or the cart should not
 * queue behind the saga's replies and the read models' updates, which nobody waits on.
 *
 * At 100 orders/s on a loaded machine the event consumers' batches (up to EVENT_CONSUMER_CONCURRENCY
 * transactions per consumer, each held across two or three round trips) took every connection of
 * the pool for stretches: a bench counted ~950 waits over 2 ms for a connection in 15 s, and the
 * slowest placeOrders' read and write took 17 and 26 ms where the rest took 3 and 5. A request's
 * statements now go ahead of every background waiter (in the order requests asked); background
 * work still gets every connection no request is waiting for.
 */
const servingRequest = new AsyncLocalStorage<true>();

/** Runs `work` (and every statement it starts, awaited or not) as part of a client's request. */
export function asRequest<T>(work: () => T): T {
  return servingRequest.run(true, work);
}

/** pg-pool's queue of callers waiting for a connection (pg-pool 3: an array served from its head). */
interface PendingQueue {
  _pendingQueue?: unknown[];
}

/**
 * Makes `pool` hand its next free connection to a request's statement before any background
 * work's. A caller that finds a connection free is not affected; only the waiting order changes.
 */
export function requestsFirst<P extends pg.Pool>(pool: P): P {
  const queue = (pool as unknown as PendingQueue)._pendingQueue;
  // Another pg-pool keeps its queue otherwise: the pool stays first come, first served.
  if (!Array.isArray(queue)) return pool;
  const urgent = new WeakSet<object>();
  const connect = pool.connect.bind(pool) as (callback?: unknown) => unknown;
  Object.defineProperty(pool, "connect", {
    configurable: true,
    writable: true,
    value: (callback?: unknown) => {
      const before = queue.length;
      const result = connect(callback);
      // pg-pool's `connect` queues its caller synchronously when no connection is free (also
      // when `query` calls it), at the tail.
      if (queue.length === before + 1 && servingRequest.getStore()) {
        const waiter = queue.pop() as object;
        let at = 0;
        while (at < queue.length && urgent.has(queue[at] as object)) at += 1;
        queue.splice(at, 0, waiter);
        urgent.add(waiter);
      }
      return result;
    },
  });
  return pool;
}

/** The resolvers' root fields and entity references, each run as a request (`asRequest`). */
export function resolvedAsRequests<R extends object>(resolvers: R): R {
  const wrap = (resolve: (...args: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]) {
      return asRequest(() => resolve.apply(this, args));
    };
  const wrapped: Record<string, unknown> = {};
  for (const [typeName, fields] of Object.entries(resolvers)) {
    // Scalars are class instances, and subscriptions are the router's: both kept as they are.
    if (!fields || Object.getPrototypeOf(fields) !== Object.prototype || typeName === "Subscription") {
      wrapped[typeName] = fields;
      continue;
    }
    const root = typeName === "Query" || typeName === "Mutation";
    const copy: Record<string, unknown> = { ...(fields as Record<string, unknown>) };
    for (const [field, resolve] of Object.entries(copy))
      if (typeof resolve === "function" && (root || field === "__resolveReference"))
        copy[field] = wrap(resolve as (...args: unknown[]) => unknown);
    wrapped[typeName] = copy;
  }
  return wrapped as R;
}
