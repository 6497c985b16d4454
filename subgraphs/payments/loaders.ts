import { loaderByKey, loaderOfMany } from "../common/loaders";
import type { PaymentsDb } from "./store/database";
import { findAttemptsOfPayments, findPaymentsByIds, findPaymentsOfOrders } from "./store/paymentStore";

export function createPaymentsLoaders(db: PaymentsDb) {
  return {
    paymentById: loaderByKey(
      (ids) => findPaymentsByIds(db, ids),
      (payment) => payment.id,
    ),
    paymentOfOrder: loaderByKey(
      (ids) => findPaymentsOfOrders(db, ids),
      (payment) => payment.orderId,
    ),
    attemptsOfPayment: loaderOfMany(
      (ids) => findAttemptsOfPayments(db, ids),
      (attempt) => attempt.paymentId,
    ),
  };
}

export type PaymentsLoaders = ReturnType<typeof createPaymentsLoaders>;
