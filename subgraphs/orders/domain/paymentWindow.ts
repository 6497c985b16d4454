import type { UnitOfWork } from "../../common/events/unitOfWork";
import type { OrdersTx } from "../store/database";
import { lockOverdueOrders } from "../store/orderStore";
import { applySagaEvent } from "./orderTransitions";

const batch = 50;

/**
 * Cancels the orders whose payment window has closed (PAYMENT_TIMEOUT), saying which step never
 * completed, so that no order holds stock forever. Returns whether more may be overdue.
 */
export async function cancelOverdueOrders(deps: {
  unitOfWork: UnitOfWork<OrdersTx>;
  paymentWindowSeconds: number;
}): Promise<boolean> {
  const cancelled = await deps.unitOfWork(async (tx, emit) => {
    const overdue = await lockOverdueOrders(tx, batch);
    for (const order of overdue) {
      const step =
        order.status === "PENDING"
          ? "the stock reservation never completed"
          : "the payment did not settle (the provider declined to answer, or was unreachable)";
      await applySagaEvent(tx, emit, order.id, {
        type: "PAYMENT_TIMED_OUT",
        reason: `payment window of ${deps.paymentWindowSeconds}s closed: ${step}`,
      });
    }
    return overdue.length;
  });
  return cancelled === batch;
}
