import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { WindowLimiter } from "../common/windowLimiter";
import { defineSubgraph, type SubgraphRuntime } from "../common/server/subgraphDefinition";
import type { OpeningDefaults } from "./domain/captures";
import type { PaymentsDependencies } from "./domain/dependencies";
import type { PaymentsPrivacyDependencies } from "./domain/privacy";
import { receiveNotification } from "./domain/notifications";
import { paymentWorker } from "./domain/paymentWorker";
import { paymentsEnvironment, type PaymentsEnvironment } from "./environment";
import { paymentsEventHandlers } from "./events/handlers";
import { mountWebhookRoutes } from "./http/webhookRoutes";
import { createPaymentsLoaders } from "./loaders";
import { configuredProviders } from "./provider/configuredProviders";
import { SimulatedPaymentProvider } from "./provider/simulated/simulatedProvider";
import { resolvers } from "./resolvers";
import { createPaymentsDatabase, type PaymentsDb } from "./store/database";

type PaymentsRuntime = SubgraphRuntime<PaymentsDb, PaymentsEnvironment>;

/**
 * The payments subgraph: captures, refunds, saved cards, provider webhooks and reconciliation,
 * through one provider interface. A factory, since each instance holds its simulated provider
 * (which tests drive); the other providers come from the settings at start.
 */
export function createPaymentsService(options: { simulated?: SimulatedPaymentProvider } = {}) {
  const simulated = options.simulated ?? new SimulatedPaymentProvider();
  const dependencies = new WeakMap<PaymentsRuntime, PaymentsDependencies>();
  const dependenciesOf = (runtime: PaymentsRuntime): PaymentsDependencies => {
    let deps = dependencies.get(runtime);
    if (!deps) {
      const { env } = runtime;
      deps = {
        db: runtime.db,
        unitOfWork: runtime.unitOfWork,
        ...(runtime.sqlUnitOfWork ? { sqlUnitOfWork: runtime.sqlUnitOfWork } : {}),
        providers: configuredProviders(env, simulated),
        retry: { baseMs: env.PAYMENT_RETRY_BASE_MS, maxMs: env.PAYMENT_RETRY_MAX_MS },
        logger: runtime.logger,
        unreachableWindowMs: env.PAYMENT_UNREACHABLE_WINDOW_SECONDS * 1000,
        reconcileAfterMs: env.PAYMENT_RECONCILE_AFTER_SECONDS * 1000,
      };
      dependencies.set(runtime, deps);
    }
    return deps;
  };
  // Event handlers are declared before the settings are read; the default provider is filled in at start.
  const opening: OpeningDefaults = { defaultProvider: "simulated" };
  // Likewise the providers an erasure detaches saved cards at.
  const privacy: PaymentsPrivacyDependencies = {};

  return Object.assign(
    defineSubgraph({
      name: "payments",
      environment: paymentsEnvironment,
      typeDefs: loadSubgraphTypeDefs("payments"),
      resolvers,
      createDatabase: createPaymentsDatabase,
      eventHandlers: paymentsEventHandlers(opening, privacy),
      onStart(runtime) {
        const deps = dependenciesOf(runtime);
        opening.defaultProvider = deps.providers.defaultName;
        privacy.providers = deps.providers;
        privacy.logger = runtime.logger;
        // The simulated provider notifies in-process, through the same verification and handling as a webhook.
        if (deps.providers.find(simulated.name)) {
          const stopListening = simulated.onNotification(async ({ body, signature }) => {
            // A stopped process no longer hears its provider (a restarted one may share it in tests).
            if (runtime.nats.isClosed()) return void stopListening();
            await receiveNotification(deps, simulated, Buffer.from(body), signature);
          });
        }
        return Promise.resolve();
      },
      workers: (runtime) => [paymentWorker(dependenciesOf(runtime), runtime.env.PAYMENT_WORKER_INTERVAL_MS)],
      routes: (app, runtime) => mountWebhookRoutes(app, () => dependenciesOf(runtime)),
      createContext: (runtime, base) => ({
        ...base,
        ...dependenciesOf(runtime),
        logger: base.logger,
        loaders: createPaymentsLoaders(runtime.db),
        guestAccess: {
          keys: {
            secret: runtime.env.ROUTER_SIGNING_SECRET,
            previousSecret: runtime.env.ROUTER_SIGNING_SECRET_PREVIOUS,
          },
          limiter: new WindowLimiter(runtime.redis, `${runtime.env.REDIS_KEY_PREFIX}payments:`),
          failures: {
            name: "guest-access-failures",
            limit: runtime.env.GUEST_ACCESS_FAILURES_PER_CLIENT_PER_HOUR,
            windowSeconds: 3600,
          },
        },
      }),
    }),
    { provider: simulated },
  );
}
