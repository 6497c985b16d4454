import { loaderByKey } from "../common/loaders";
import type { PaymentsDb } from "./store/database";
import { findPaymentsByIds, findPaymentsOfOrders } from "./store/paymentStore";

export function createPaymentsLoaders(db: PaymentsDb) {
  return {
    paymentById: loaderByKey((ids) => findPaymentsByIds(db, ids), (payment) => payment.id),
    paymentOfOrder: loaderByKey((ids) => findPaymentsOfOrders(db, ids), (payment) => payment.orderId),
  };
}

export type PaymentsLoaders = ReturnType<typeof createPaymentsLoaders>;
