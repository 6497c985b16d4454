/** Exponential backoff after the n-th failed attempt (1-based), capped. */
export function retryDelayMs(failures: number, settings: { baseMs: number; maxMs: number }): number {
  return Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, failures - 1));
}
