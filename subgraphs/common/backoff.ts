export interface BackoffSettings {
  /** The wait after the first failure; it doubles with each failure after that. */
  baseMs: number;
  /** The longest wait. */
  maxMs: number;
}

/**
 * Exponential backoff: the wait after the n-th failure in a row (1-based), doubling from
 * `baseMs`, capped at `maxMs`. Every retry in the system waits by this rule: due work (captures,
 * refunds, deliveries), the outbox relay while NATS is away, and connecting at start-up.
 */
export function backoffDelayMs(failures: number, settings: BackoffSettings): number {
  return Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, failures - 1));
}
