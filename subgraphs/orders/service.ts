import { DeadLetterWatcher } from "../common/events/deadLetterWatcher";
import { entityLoader } from "../common/federation/entityClient";
import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { PeriodicWorker } from "../common/server/periodicWorker";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import {
  productFactsSelection,
  variantSelection,
  type ProductEntity,
  type StockEntity,
  type VariantEntity,
} from "./domain/catalogView";
import { noteDeadLetter } from "./domain/incidents";
import { cancelOverdueOrders } from "./domain/paymentWindow";
import { WindowLimiter } from "../common/windowLimiter";
import { deleteExpiredGuestCarts } from "./store/cartStore";
import type { CustomerEntity } from "./domain/placeOrder";
import { ordersEnvironment } from "./environment";
import { ordersEventHandlers } from "./events/handlers";
import { mountCarrierWebhookRoutes } from "./http/carrierWebhookRoutes";
import { LiveUpdates } from "./liveUpdates";
import { createOrdersLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { resolvedAsRequests } from "./requestPriority";
import { createOrdersDatabase } from "./store/database";

/** The orders subgraph: carts, orders and the checkout saga that moves them. */
export const ordersService = defineSubgraph({
  name: "orders",
  environment: ordersEnvironment,
  typeDefs: loadSubgraphTypeDefs("orders"),
  // Their statements go first on the pool, ahead of the consumers' and workers'.
  resolvers: resolvedAsRequests(resolvers),
  createDatabase: createOrdersDatabase,
  eventHandlers: ordersEventHandlers,
  // Live updates at least once: published by the outbox relay before it publishes and stamps the events.
  onStart: async (runtime) => {
    const live = new LiveUpdates(runtime.redis, runtime.env.REDIS_KEY_PREFIX, runtime.logger);
    runtime.relay.setBeforePublish((events) => live.publish(events));
  },
  routes: (app, runtime) =>
    mountCarrierWebhookRoutes(app, () => ({
      unitOfWork: runtime.unitOfWork,
      secrets: runtime.env.CARRIER_WEBHOOK_SECRETS,
      toleranceSeconds: runtime.env.CARRIER_WEBHOOK_TOLERANCE_SECONDS,
      logger: runtime.logger,
    })),
  workers: (runtime) => [
    new PeriodicWorker(
      "payment-window",
      () =>
        cancelOverdueOrders({
          unitOfWork: runtime.unitOfWork,
          paymentWindowSeconds: runtime.env.PAYMENT_WINDOW_SECONDS,
        }),
      { intervalMs: runtime.env.PAYMENT_WINDOW_SCAN_MS, logger: runtime.logger },
    ),
    new DeadLetterWatcher({
      service: "orders",
      js: runtime.js,
      jsm: runtime.jsm,
      namespace: runtime.env.NATS_NAMESPACE,
      logger: runtime.logger,
      onDeadLetter: async (letter) => void (await noteDeadLetter(runtime.db, letter)),
    }),
    // Guest carts unused for their lifetime are deleted, a batch at a time.
    new PeriodicWorker("cart-expiry", async () => (await deleteExpiredGuestCarts(runtime.db, 500)) === 500, {
      intervalMs: runtime.env.CART_EXPIRY_SCAN_MS,
      logger: runtime.logger,
    }),
  ],
  createContext: (runtime, base, request) => {
    const authorization = request.header("authorization");
    // The caller's own token, so the owners authorize the lookups as they would any request.
    const headers = authorization ? { authorization } : undefined;
    return {
      ...base,
      db: runtime.db,
      unitOfWork: runtime.unitOfWork,
      sqlUnitOfWork: runtime.sqlUnitOfWork,
      loaders: createOrdersLoaders(runtime.db),
      paymentWindowSeconds: runtime.env.PAYMENT_WINDOW_SECONDS,
      guestAccessKeys: {
        secret: runtime.env.ROUTER_SIGNING_SECRET,
        previousSecret: runtime.env.ROUTER_SIGNING_SECRET_PREVIOUS,
      },
      limiter: new WindowLimiter(runtime.redis, `${runtime.env.REDIS_KEY_PREFIX}orders:`),
      limits: {
        cartCreations: { name: "cart-create", limit: runtime.env.CARTS_PER_CLIENT_PER_HOUR, windowSeconds: 3600 },
        guestOrderLookups: {
          name: "guest-order-lookup",
          limit: runtime.env.GUEST_ORDER_LOOKUPS_PER_CLIENT_PER_HOUR,
          windowSeconds: 3600,
        },
        guestOrderLookupsPerOrder: {
          name: "guest-order-lookup:number",
          limit: runtime.env.GUEST_ORDER_LOOKUPS_PER_ORDER_PER_HOUR,
          windowSeconds: 3600,
        },
      },
      unpaidLimits: {
        ordersPerBuyer: runtime.env.UNPAID_ORDERS_PER_BUYER,
        unitsPerBuyer: runtime.env.UNPAID_UNITS_PER_BUYER,
        guestOrdersPerClient: runtime.env.UNPAID_GUEST_ORDERS_PER_CLIENT,
      },
      returnWindowDays: runtime.env.RETURN_WINDOW_DAYS,
      editWindowMinutes: runtime.env.ORDER_EDIT_WINDOW_MINUTES,
      lookups: {
        products: entityLoader<ProductEntity>({
          url: runtime.env.PRODUCTS_URL,
          typename: "Product",
          selection: `${productFactsSelection} variants(first: 100) { edges { node { ${variantSelection} } } }`,
          headers,
          signingSecret: runtime.env.ROUTER_SIGNING_SECRET,
        }),
        variants: entityLoader<VariantEntity>({
          url: runtime.env.PRODUCTS_URL,
          typename: "ProductVariant",
          selection: `${variantSelection} product { ${productFactsSelection} }`,
          headers,
          signingSecret: runtime.env.ROUTER_SIGNING_SECRET,
        }),
        stock: entityLoader<StockEntity>({
          url: runtime.env.INVENTORY_URL,
          typename: "ProductVariant",
          selection: "id stock { available }",
          headers,
          signingSecret: runtime.env.ROUTER_SIGNING_SECRET,
        }),
      },
      customers: entityLoader<CustomerEntity>({
        url: runtime.env.USERS_URL,
        typename: "User",
        selection: "id name addresses { id line1 line2 city region postalCode country }",
        headers,
        signingSecret: runtime.env.ROUTER_SIGNING_SECRET,
      }),
    };
  },
});
