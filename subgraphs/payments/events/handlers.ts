import { onEvent } from "../../common/events/eventConsumer";
import { closePaymentOfCancelledOrder, openPayment } from "../domain/captures";
import type { PaymentsTx } from "../store/database";

/** Every event the payments service reacts to; `wakeWorker` makes the worker try captures and refunds at once. */
export function paymentsEventHandlers(wakeWorker: () => void) {
  return [
    onEvent<PaymentsTx, "orders.payment.requested">("orders.payment.requested", (event, tx, emit) =>
      openPayment(tx, emit, event.data, wakeWorker),
    ),
    onEvent<PaymentsTx, "orders.order.status_changed">(
      "orders.order.status_changed",
      (event, tx, emit) => closePaymentOfCancelledOrder(tx, emit, event.data, wakeWorker),
      { appliesTo: (event) => event.data.status === "CANCELLED" },
    ),
  ];
}
