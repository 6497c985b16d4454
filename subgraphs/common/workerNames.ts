/**
 * Every background worker, by name. Work committed for a worker wakes it by its name
 * (`emit.wake`), so nothing has to hand a worker around to the code that makes its work.
 */
export const workerNames = [
  "payment-attempts",
  "notification-delivery",
  "payment-window",
  "dead-letter-watch",
  "cart-expiry",
  "privacy-exports",
] as const;
export type WorkerName = (typeof workerNames)[number];
