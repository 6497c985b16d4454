import { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { defaultPorts } from "../common/serviceNames";

/** The orders service's settings. */
export const ordersEnvironment = subgraphEnvironment.extend({
  PORT: env.port(defaultPorts.orders),
  /** How long an order may wait for its payment to settle before it is cancelled (PAYMENT_TIMEOUT), releasing its stock. */
  PAYMENT_WINDOW_SECONDS: z.coerce.number().positive().default(900),
  /** How often orders past their payment window are looked for. */
  PAYMENT_WINDOW_SCAN_MS: z.coerce.number().int().min(50).default(1000),
  /** Limits on orders waiting for payment, which hold stock: per customer or guest email, and guest orders per client. */
  UNPAID_ORDERS_PER_BUYER: z.coerce.number().int().positive().default(20),
  UNPAID_UNITS_PER_BUYER: z.coerce.number().int().positive().default(500),
  UNPAID_GUEST_ORDERS_PER_CLIENT: z.coerce.number().int().positive().default(20),
  /** Anonymous operations per client address (and per order number) per hour. */
  CARTS_PER_CLIENT_PER_HOUR: z.coerce.number().int().positive().default(60),
  GUEST_ORDER_LOOKUPS_PER_CLIENT_PER_HOUR: z.coerce.number().int().positive().default(30),
  GUEST_ORDER_LOOKUPS_PER_ORDER_PER_HOUR: z.coerce.number().int().positive().default(10),
  /** How often expired guest carts are deleted. */
  CART_EXPIRY_SCAN_MS: z.coerce.number().int().min(50).default(60_000),
  /** Owners asked directly when a read model does not know a product or an address yet. */
  PRODUCTS_URL: env.url(`http://localhost:${defaultPorts.products}/graphql`),
  INVENTORY_URL: env.url(`http://localhost:${defaultPorts.inventory}/graphql`),
  USERS_URL: env.url(`http://localhost:${defaultPorts.users}/graphql`),
});

export type OrdersEnvironment = z.infer<typeof ordersEnvironment>;
