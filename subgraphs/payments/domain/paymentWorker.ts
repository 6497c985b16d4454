import type { PaymentsTx } from "../store/database";
import { claimDuePayments, claimDueRefunds } from "../store/paymentStore";
import { attemptCapture, type CaptureDependencies } from "./captures";
import { attemptRefund } from "./refunds";

const batch = 20;
// A try that has not finished by then (a crashed process) is taken up again.
const leaseMs = 30_000;

/** Makes the captures and refunds that are due, a batch at a time, in parallel; true when there may be more. */
export async function processDuePayments(deps: CaptureDependencies): Promise<boolean> {
  const [payments, refunds] = await deps.unitOfWork(async (tx: PaymentsTx) => [await claimDuePayments(tx, batch, leaseMs), await claimDueRefunds(tx, batch, leaseMs)] as const);
  await Promise.all([...payments.map(({ id }) => attemptCapture(deps, id)), ...refunds.map(({ id }) => attemptRefund(deps, id))]);
  return payments.length === batch || refunds.length === batch;
}
