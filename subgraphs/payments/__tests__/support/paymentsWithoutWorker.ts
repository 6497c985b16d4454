import type { EventData, EventType } from "../../../common/events/catalog";
import type { EventHandler } from "../../../common/events/eventConsumer";
import { createEnvelope } from "../../../common/events/envelope";
import type { Emit } from "../../../common/events/unitOfWork";
import { startServices } from "../../../../test/support/testServices";
import { paymentsEventHandlers } from "../../events/handlers";
import type { PaymentsTx } from "../../store/database";

/**
 * The payments service with its payment worker stopped, so that due captures are taken only when
 * a test takes them. The worker looks once as it starts; stopping it waits for that look, which
 * otherwise could take a payment the test opens next (seen in CI under load).
 */
export async function startPaymentsWithoutWorker() {
  const services = await startServices(["payments"], { router: false });
  const worker = services.payments.workers.find((each) => each.name === "payment-attempts");
  if (!worker) throw new Error("the payments service has no payment-attempts worker to stop");
  await worker.stop();
  return services;
}

/**
 * Runs the service's handler of `type` in the caller's transaction, without waking the worker:
 * a capture it would start the moment the payment commits is not what these tests look at.
 */
export function handleUnwoken<T extends EventType>(
  type: T,
  data: EventData<T>,
  tx: PaymentsTx,
  emit: Emit,
): Promise<void> {
  const handler = paymentsEventHandlers({ defaultProvider: "simulated" }).find(
    (each) => each.type === type,
  ) as unknown as EventHandler<PaymentsTx, T>;
  const unwoken: Emit = Object.assign(
    <E extends EventType>(event: E, eventData: EventData<E>) => emit(event, eventData),
    { wake: () => undefined },
  );
  return handler.handle(createEnvelope("orders", { type, data }), tx, unwoken);
}
