import type { Payment, PaymentAttempt, Refund } from "../generated/prisma/client";

export type PaymentRecord = Payment;
/** An attempt, with the currency of its payment. */
export type PaymentAttemptRecord = PaymentAttempt & { currency: string };
export type RefundRecord = Refund;

/** An order as other subgraphs reference it: only the id. */
export interface OrderReference {
  id: string;
}
