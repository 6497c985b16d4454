import type { Payment, PaymentAttempt, Refund, SavedPaymentMethod } from "../generated/prisma/client";

export type PaymentRecord = Payment;
/** An attempt, with the currency of its payment. */
export type PaymentAttemptRecord = PaymentAttempt & { currency: string };
export type RefundRecord = Refund;
/** A refund with its payment's currency, as the API shows it. */
export type RefundView = Refund & { currency: string };
export type SavedMethodRecord = SavedPaymentMethod;

/** An order as other subgraphs reference it: only the id. */
export interface OrderReference {
  id: string;
}

/** A user as other subgraphs reference it: only the id. */
export interface UserReference {
  id: string;
}
