import type { EventData, EventType } from "../../../common/events/catalog";
import type { EventHandler } from "../../../common/events/eventConsumer";
import { createEnvelope } from "../../../common/events/envelope";
import type { Emit } from "../../../common/events/unitOfWork";
import { startServices } from "../../../../test/support/testServices";
import { paymentsEventHandlers } from "../../events/handlers";
import type { PaymentsTx } from "../../store/database";

/** The payments service whose worker looks for due captures only when a test tells it to. */
export function startPaymentsWithoutWorker() {
  return startServices(["payments"], {
    router: false,
    settings: { payments: { PAYMENT_WORKER_INTERVAL_MS: "3600000" } },
  });
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
