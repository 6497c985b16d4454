import type { Payment } from "../generated/prisma/client";

export type PaymentRecord = Payment;

/** An order as other subgraphs reference it: only the id. */
export interface OrderReference {
  id: string;
}
