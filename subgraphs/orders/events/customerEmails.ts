import { onEvent } from "../../common/events/eventConsumer";
import type { EventEnvelope } from "../../common/events/envelope";
import type { OrdersTx } from "../store/database";

/**
 * The read model of customers' emails (order search by email): the event's time is the version,
 * so an older fact arriving late (the two types travel through separate consumers) changes nothing.
 */
async function recordEmail(
  event: EventEnvelope<"users.user.registered"> | EventEnvelope<"users.user.updated">,
  tx: OrdersTx,
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO order_customers (customer_id, email, updated_at)
    VALUES (${event.data.userId}::uuid, ${event.data.email.toLowerCase()}, ${new Date(event.occurredAt)})
    ON CONFLICT (customer_id) DO UPDATE SET email = EXCLUDED.email, updated_at = EXCLUDED.updated_at
     WHERE order_customers.updated_at < EXCLUDED.updated_at`;
}

export const customerEmailHandlers = [
  onEvent<OrdersTx, "users.user.registered">("users.user.registered", recordEmail, { idempotentByVersion: true }),
  onEvent<OrdersTx, "users.user.updated">("users.user.updated", recordEmail, { idempotentByVersion: true }),
];
