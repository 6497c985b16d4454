import type { ServiceName } from "../serviceNames";

/**
 * The event each service publishes its audit entries as (on its own stream). The users service
 * keeps the queryable log, so its own entries need no event.
 */
export const auditEventOf = {
  users: undefined,
  products: "catalog.audit.recorded",
  inventory: "inventory.audit.recorded",
  orders: "orders.audit.recorded",
  payments: "payments.audit.recorded",
  notifications: "notifications.audit.recorded",
} as const satisfies Record<ServiceName, string | undefined>;
