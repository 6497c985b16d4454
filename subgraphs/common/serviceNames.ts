/** The six subgraphs, in the order the supergraph lists them. */
export const serviceNames = ["users", "products", "inventory", "orders", "payments", "notifications"] as const;

export type ServiceName = (typeof serviceNames)[number];

/** Port each service listens on by default (the router is 4000). */
export const defaultPorts: Record<ServiceName, number> = {
  users: 4001,
  products: 4002,
  inventory: 4003,
  orders: 4004,
  payments: 4005,
  notifications: 4006,
};
