import { PeriodicWorker } from "../../common/server/periodicWorker";
import { deliverDue, type DeliveryDependencies } from "./delivery";

/** Messages taken at once. */
const batch = 20;
/** A try that has not finished by then (a crashed process) is taken up again. */
const leaseMs = 60_000;

/**
 * The worker that sends the messages that are due, a batch at a time (leased, so replicas share
 * the work): each tick claims a batch, sends it, and records it. It ticks at once when woken after
 * a commit that made messages due, again at once while batches come back full, when a retry it
 * scheduled falls due, and otherwise every `intervalMs`: a fallback poll, for a lease that ran out
 * or another replica's retry.
 */
export function deliveryWorker(deps: DeliveryDependencies, intervalMs: number) {
  const worker: PeriodicWorker = new PeriodicWorker(
    "notification-delivery",
    async () => (await deliverDue(withRetryAlarm, batch, leaseMs)) === batch,
    { intervalMs, logger: deps.logger },
  );
  const withRetryAlarm: DeliveryDependencies = {
    ...deps,
    onRetryScheduled: (at) => {
      deps.onRetryScheduled?.(at);
      worker.wakeAt(at.getTime());
    },
  };
  return worker;
}
