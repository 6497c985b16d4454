import type { RedisPubSub } from "graphql-redis-subscriptions";

/**
 * Messages of one Redis channel as an async iterator. `open` resolves once Redis confirms the
 * subscription, so nothing published afterwards is missed; `close` unsubscribes (and must be
 * called, or the router keeps listening).
 */
export class RedisChannel<T> implements AsyncIterator<T> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private subscriptionId: number | undefined;
  private closed = false;

  private constructor(private readonly pubsub: RedisPubSub) {}

  static async open<T>(pubsub: RedisPubSub, channel: string): Promise<RedisChannel<T>> {
    const iterator = new RedisChannel<T>(pubsub);
    iterator.subscriptionId = await pubsub.subscribe(channel, (message: T) => iterator.push(message));
    return iterator;
  }

  private push(message: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: message, done: false });
    } else {
      this.queue.push(message);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Messages that have arrived and wait to be read, up to `max`, without waiting for more. */
  takeQueued(max: number): T[] {
    return this.queue.splice(0, max);
  }

  async return(): Promise<IteratorResult<T>> {
    this.close();
    return { value: undefined, done: true };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.subscriptionId !== undefined) this.pubsub.unsubscribe(this.subscriptionId);
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
  }
}
