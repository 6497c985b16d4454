import type { PaymentsReader } from "./database";
import type { PaymentRecord } from "./records";

export function findPaymentsByIds(db: PaymentsReader, ids: readonly string[]): Promise<PaymentRecord[]> {
  return db.payment.findMany({ where: { id: { in: [...ids] } } });
}

export function findPaymentsOfOrders(db: PaymentsReader, orderIds: readonly string[]): Promise<PaymentRecord[]> {
  return db.payment.findMany({ where: { orderId: { in: [...orderIds] } } });
}
