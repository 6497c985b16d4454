import type { Payment, PaymentAttempt, Refund, SavedPaymentMethod } from "../generated/prisma/client";

export type PaymentRecord = Payment;
/** An attempt, with the currency of its payment. */
export type PaymentAttemptRecord = PaymentAttempt & { currency: string };
export type RefundRecord = Refund;
export type SavedMethodRecord = SavedPaymentMethod;

/** An order as other subgraphs reference it: only the id. */
export interface OrderReference {
  id: string;
}

/** A user as other subgraphs reference it: only the id. */
export interface UserReference {
  id: string;
}
