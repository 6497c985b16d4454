import type { PaymentsReader, PaymentsTx } from "./database";

/** The customer's most recent payments with their refunds. */
export function findPaymentsOfCustomer(db: PaymentsReader, customerId: string, take: number) {
  return db.payment.findMany({
    where: { customerId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    include: { refunds: { orderBy: { createdAt: "asc" } } },
  });
}

export function findSavedMethodsOfCustomer(db: PaymentsReader, customerId: string) {
  return db.savedPaymentMethod.findMany({ where: { customerId }, orderBy: { createdAt: "desc" } });
}

/**
 * Forgets how the customer paid: card tokens and authentication secrets of their payments, their
 * saved cards, setups and provider customers. Amounts, statuses, attempts and refunds stay for the
 * books. Counts what went, by kind.
 */
export async function eraseCustomerPaymentData(tx: PaymentsTx, customerId: string) {
  const payments = await tx.payment.updateMany({
    where: { customerId },
    data: { paymentToken: "", nextActionSecret: null, nextActionUrl: null },
  });
  const methods = await tx.savedPaymentMethod.deleteMany({ where: { customerId } });
  const setups = await tx.paymentMethodSetup.deleteMany({ where: { customerId } });
  const customers = await tx.providerCustomer.deleteMany({ where: { customerId } });
  return {
    paymentsAnonymised: payments.count,
    savedMethodsRemoved: methods.count,
    setupsDeleted: setups.count,
    providerCustomersForgotten: customers.count,
  };
}
