import { PeriodicWorker } from "../../common/server/periodicWorker";
import { deliverDue, type DeliveryDependencies } from "./delivery";

/** Messages taken at once. */
const batch = 20;
/** A try that has not finished by then (a crashed process) is taken up again. */
const leaseMs = 60_000;

/**
 * The worker that sends the messages that are due, a batch at a time (leased, so replicas share
 * the work): each tick claims a batch, sends it, and records it; it ticks every `intervalMs`, at
 * once when woken after a commit that made messages due, and again at once while batches come
 * back full.
 */
export function deliveryWorker(deps: DeliveryDependencies, intervalMs: number) {
  return new PeriodicWorker("notification-delivery", async () => (await deliverDue(deps, batch, leaseMs)) === batch, {
    intervalMs,
    logger: deps.logger,
  });
}
