import { onEvent } from "../../common/events/eventConsumer";
import { closePaymentOfCancelledOrder, openPayment, type OpeningDefaults } from "../domain/captures";
import { paymentsPrivacy, type PaymentsPrivacyDependencies } from "../domain/privacy";
import { privacyEventHandlers } from "../../common/privacy/privacyHandlers";
import type { PaymentsTx } from "../store/database";

/** Every event the payments service reacts to. */
export function paymentsEventHandlers(defaults: OpeningDefaults, privacy: PaymentsPrivacyDependencies = {}) {
  return [
    onEvent<PaymentsTx, "orders.payment.requested">("orders.payment.requested", (event, tx, emit) =>
      openPayment(tx, emit, event.data, defaults),
    ),
    onEvent<PaymentsTx, "orders.order.status_changed">(
      "orders.order.status_changed",
      (event, tx, emit) => closePaymentOfCancelledOrder(tx, emit, event.data),
      { appliesTo: (event) => event.data.status === "CANCELLED" },
    ),
    // Privacy requests: payments and saved cards exported, or the cards detached and tokens forgotten.
    ...privacyEventHandlers("payments", paymentsPrivacy(privacy)),
  ];
}
