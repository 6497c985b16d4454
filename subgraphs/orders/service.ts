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
import { cancelOverdueOrders } from "./domain/paymentWindow";
import type { CustomerEntity } from "./domain/placeOrder";
import { ordersEnvironment } from "./environment";
import { ordersEventHandlers } from "./events/handlers";
import { mountCarrierWebhookRoutes } from "./http/carrierWebhookRoutes";
import { publishOrderUpdates } from "./liveUpdates";
import { createOrdersLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { createOrdersDatabase } from "./store/database";

/** The orders subgraph: carts, orders and the checkout saga that moves them. */
export const ordersService = defineSubgraph({
  name: "orders",
  environment: ordersEnvironment,
  typeDefs: loadSubgraphTypeDefs("orders"),
  resolvers,
  createDatabase: createOrdersDatabase,
  eventHandlers: ordersEventHandlers,
  onEventsCommitted: (runtime, events) =>
    publishOrderUpdates(runtime.redis, runtime.env.REDIS_KEY_PREFIX, runtime.logger, events),
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
  ],
  createContext: (runtime, base, request) => {
    const authorization = request.header("authorization");
    // The caller's own token, so the owners authorize the lookups as they would any request.
    const headers = authorization ? { authorization } : undefined;
    return {
      ...base,
      db: runtime.db,
      unitOfWork: runtime.unitOfWork,
      loaders: createOrdersLoaders(runtime.db),
      paymentWindowSeconds: runtime.env.PAYMENT_WINDOW_SECONDS,
      returnWindowDays: runtime.env.RETURN_WINDOW_DAYS,
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
