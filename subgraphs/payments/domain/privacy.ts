import { formatAmount } from "../../common/money";
import type { Logger } from "../../common/logger";
import type { PrivacyParticipant } from "../../common/privacy/privacyHandlers";
import { maxExportRecords } from "../../common/privacy/privacyParts";
import { ProviderRejectedError } from "../provider/paymentProvider";
import type { PaymentProviders } from "../provider/paymentProviders";
import type { PaymentsTx } from "../store/database";
import { eraseCustomerPaymentData, findPaymentsOfCustomer, findSavedMethodsOfCustomer } from "../store/privacyStore";

/** What the payments answer needs at run time: the providers (known once the settings are read). */
export interface PaymentsPrivacyDependencies {
  providers?: PaymentProviders;
  logger?: Logger;
}

/**
 * The payments service's answer to privacy requests: payments and saved cards. An erasure detaches
 * every saved card at its provider first (one the provider no longer knows is fine), so it can
 * never be charged again; a provider that does not answer fails the event, which is tried again.
 */
export function paymentsPrivacy(deps: PaymentsPrivacyDependencies): PrivacyParticipant<PaymentsTx> {
  return {
    async exportData(tx, userId) {
      const [payments, methods] = await Promise.all([
        findPaymentsOfCustomer(tx, userId, maxExportRecords),
        findSavedMethodsOfCustomer(tx, userId),
      ]);
      return {
        payments: payments.map((payment) => ({
          id: payment.id,
          orderId: payment.orderId,
          status: payment.status,
          currency: payment.currency,
          amount: formatAmount(payment.amountMinor),
          refunded: formatAmount(payment.refundedMinor),
          provider: payment.provider,
          failureReason: payment.failureReason,
          refunds: payment.refunds.map((refund) => ({
            amount: formatAmount(refund.amountMinor),
            reason: refund.reason,
            status: refund.status,
            createdAt: refund.createdAt,
          })),
          createdAt: payment.createdAt,
        })),
        savedPaymentMethods: methods.map((method) => ({
          id: method.id,
          provider: method.provider,
          brand: method.brand,
          last4: method.last4,
          expiryMonth: method.expiryMonth,
          expiryYear: method.expiryYear,
          createdAt: method.createdAt,
        })),
      };
    },
    async erase(tx, userId) {
      for (const method of await findSavedMethodsOfCustomer(tx, userId)) {
        if (!deps.providers) throw new Error("the payments service has not started");
        const provider = deps.providers.find(method.provider);
        try {
          // A provider no longer configured cannot be told; the card is forgotten here all the same.
          await provider?.detachMethod(method.reference);
        } catch (error) {
          if (!(error instanceof ProviderRejectedError)) throw error;
          deps.logger?.warn({ paymentMethodId: method.id }, "the provider no longer knew a card being erased");
        }
      }
      return eraseCustomerPaymentData(tx, userId);
    },
  };
}
