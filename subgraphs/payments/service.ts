import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { PeriodicWorker } from "../common/server/periodicWorker";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import type { CaptureDependencies } from "./domain/captures";
import { processDuePayments } from "./domain/paymentWorker";
import { paymentsEnvironment } from "./environment";
import { paymentsEventHandlers } from "./events/handlers";
import { createPaymentsLoaders } from "./loaders";
import type { PaymentProvider } from "./provider/paymentProvider";
import { SimulatedPaymentProvider } from "./provider/simulatedProvider";
import { resolvers } from "./resolvers";
import { createPaymentsDatabase } from "./store/database";

/**
 * The payments subgraph: captures and refunds through one provider interface. A factory, since
 * each instance holds its provider (the simulated one unless another is given) and its worker.
 */
export function createPaymentsService(options: { provider?: PaymentProvider } = {}) {
  const provider = options.provider ?? new SimulatedPaymentProvider();
  let worker: PeriodicWorker | undefined;
  const wakeWorker = () => worker?.wake();

  return Object.assign(
    defineSubgraph({
      name: "payments",
      environment: paymentsEnvironment,
      typeDefs: loadSubgraphTypeDefs("payments"),
      resolvers,
      createDatabase: createPaymentsDatabase,
      eventHandlers: paymentsEventHandlers(wakeWorker),
      workers(runtime) {
        const deps: CaptureDependencies = {
          db: runtime.db,
          unitOfWork: runtime.unitOfWork,
          provider,
          retry: { baseMs: runtime.env.PAYMENT_RETRY_BASE_MS, maxMs: runtime.env.PAYMENT_RETRY_MAX_MS },
          wakeWorker,
          logger: runtime.logger,
        };
        worker = new PeriodicWorker("payment-attempts", () => processDuePayments(deps), {
          intervalMs: runtime.env.PAYMENT_WORKER_INTERVAL_MS,
          logger: runtime.logger,
        });
        return [worker];
      },
      createContext: (runtime, base) => ({
        ...base,
        db: runtime.db,
        unitOfWork: runtime.unitOfWork,
        loaders: createPaymentsLoaders(runtime.db),
        provider,
        retry: { baseMs: runtime.env.PAYMENT_RETRY_BASE_MS, maxMs: runtime.env.PAYMENT_RETRY_MAX_MS },
        wakeWorker,
      }),
    }),
    { provider },
  );
}
