import { onEvent } from "../../common/events/eventConsumer";
import type { SqlExecutor } from "../../common/database/prismaOptions";
import { closePaymentOfCancelledOrder, openPayments, type OpeningDefaults } from "../domain/captures";
import { fromMoney } from "../../common/money";
import { refundEdit, refundReturn } from "../domain/refunds";
import { paymentsPrivacy, type PaymentsPrivacyDependencies } from "../domain/privacy";
import { privacyEventHandlers } from "../../common/privacy/privacyHandlers";
import type { PaymentsTx } from "../store/database";
import { orderPaymentsLockKey } from "../store/paymentStore";

/** Every event the payments service reacts to. */
export function paymentsEventHandlers(defaults: OpeningDefaults, privacy: PaymentsPrivacyDependencies = {}) {
  return [
    // A batch of requests is opened in one statement after the one that records them and takes
    // their orders' locks; SQL only, in a transaction of our own on the pool.
    onEvent<SqlExecutor, "orders.payment.requested">(
      "orders.payment.requested",
      (event, tx, emit) => openPayments(tx, emit, [event.data], defaults),
      {
        sqlOnly: true,
        lockKeys: (event) => [orderPaymentsLockKey(event.data.orderId)],
        handleBatch: (events, tx, emit) =>
          openPayments(
            tx,
            emit,
            events.map((event) => event.data),
            defaults,
          ),
      },
    ),
    onEvent<PaymentsTx, "orders.order.status_changed">(
      "orders.order.status_changed",
      (event, tx, emit) => closePaymentOfCancelledOrder(tx, emit, event.data),
      { subjectDetails: ["CANCELLED"], lockKeys: (event) => [orderPaymentsLockKey(event.data.orderId)] },
    ),
    // A guest's order now belongs to an account: so does its payment (`Order.payment` for its owner).
    onEvent<PaymentsTx, "orders.order.customer_attached">("orders.order.customer_attached", async (event, tx) => {
      const { orderId, customerId, previousCustomerId } = event.data;
      await tx.payment.updateMany({ where: { orderId, customerId: previousCustomerId }, data: { customerId } });
    }),
    // A return arrived: its lines' share of what they paid, under the return's key (paying its exchange order first).
    onEvent<PaymentsTx, "orders.return.received">("orders.return.received", (event, tx, emit) => {
      const { exchange } = event.data;
      return refundReturn(tx, emit, {
        orderId: event.data.orderId,
        idempotencyKey: event.data.refund.idempotencyKey,
        lines: event.data.refund.lines.map((line) => ({ lineId: line.lineId, amountMinor: fromMoney(line.amount) })),
        reason: `return ${event.data.returnId}: ${event.data.reason}`,
        exchange: exchange
          ? {
              returnId: event.data.returnId,
              orderId: exchange.orderId,
              number: exchange.number,
              amountMinor: fromMoney(exchange.amount),
              lines: exchange.lines.map((line) => ({ lineId: line.lineId, amountMinor: fromMoney(line.amount) })),
              idempotencyKey: exchange.idempotencyKey,
            }
          : null,
      });
    }),
    // An order edited before shipping: the difference back, each line's refundable amount as it pays now.
    onEvent<PaymentsTx, "orders.order.edited">("orders.order.edited", (event, tx, emit) =>
      refundEdit(tx, emit, {
        orderId: event.data.orderId,
        idempotencyKey: event.data.refund.idempotencyKey,
        amountMinor: fromMoney(event.data.refund.amount),
        paidLines: event.data.paidLines.map((line) => ({ lineId: line.lineId, amountMinor: fromMoney(line.amount) })),
        reason: `order edit ${event.data.editId}`,
      }),
    ),
    // Privacy requests: payments and saved cards exported, or the cards detached and tokens forgotten.
    ...privacyEventHandlers("payments", paymentsPrivacy(privacy)),
  ];
}
