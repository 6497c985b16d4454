import { dueWorker } from "../../common/dueWork/dueWorker";
import { dueNotifications } from "../store/notificationStore";
import { deliverNotification, type DeliveryDependencies } from "./delivery";

/** The worker that sends the messages that are due, a batch at a time. */
export function deliveryWorker(deps: DeliveryDependencies, intervalMs: number) {
  return dueWorker({
    name: "notification-delivery",
    db: deps.db,
    intervalMs,
    logger: deps.logger,
    work: [
      {
        ...dueNotifications,
        what: "delivery",
        idField: "notificationId",
        batch: 20,
        // A try that has not finished by then (a crashed process) is taken up again.
        leaseMs: 60_000,
        run: (id) => deliverNotification(deps, id),
      },
    ],
  });
}
