import { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { defaultPorts } from "../common/serviceNames";

/** `code=secret,code=secret` into a map from carrier code to secret. */
const carrierSecrets = z
  .string()
  .default("")
  .transform((value, context) => {
    const secrets = new Map<string, string>();
    for (const pair of value
      .split(",")
      .map((each) => each.trim())
      .filter(Boolean)) {
      const at = pair.indexOf("=");
      const code = pair.slice(0, at).trim().toLowerCase();
      const secret = pair.slice(at + 1).trim();
      if (at < 1 || !/^[a-z0-9][a-z0-9-]{1,29}$/.test(code) || secret.length < 16) {
        context.addIssue({
          code: "custom",
          message: "each entry must be code=secret, with a secret of at least 16 characters",
        });
        return z.NEVER;
      }
      secrets.set(code, secret);
    }
    return secrets as ReadonlyMap<string, string>;
  });

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
  /**
   * The secret each carrier signs its tracking webhooks with (`POST /webhooks/carriers/<code>`), as
   * `code=secret` pairs separated by commas (`ups=…,dhl=…`); at least 16 characters each. A carrier
   * without one has no webhook endpoint. Never logged.
   */
  CARRIER_WEBHOOK_SECRETS: carrierSecrets,
  /** How old (or how far ahead) a carrier's signature may be: bounds replays and clock skew. */
  CARRIER_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  /** How many days after delivery a customer may ask to return lines. */
  RETURN_WINDOW_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  /** How many minutes after placing an order its customer may still edit it (staff may until it ships). */
  ORDER_EDIT_WINDOW_MINUTES: z.coerce.number().int().min(0).max(43_200).default(60),
});

export type OrdersEnvironment = z.infer<typeof ordersEnvironment>;
