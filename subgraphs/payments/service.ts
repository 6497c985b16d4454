import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import { paymentWorker } from "./domain/paymentWorker";
import { paymentsEnvironment, type PaymentsEnvironment } from "./environment";
import { paymentsEventHandlers } from "./events/handlers";
import { createPaymentsLoaders } from "./loaders";
import type { PaymentProvider } from "./provider/paymentProvider";
import { SimulatedPaymentProvider } from "./provider/simulatedProvider";
import { resolvers } from "./resolvers";
import { createPaymentsDatabase } from "./store/database";

const retryOf = (env: PaymentsEnvironment) => ({ baseMs: env.PAYMENT_RETRY_BASE_MS, maxMs: env.PAYMENT_RETRY_MAX_MS });

/**
 * The payments subgraph: captures and refunds through one provider interface. A factory, since
 * each instance holds its provider (the simulated one unless another is given).
 */
export function createPaymentsService(options: { provider?: PaymentProvider } = {}) {
  const provider = options.provider ?? new SimulatedPaymentProvider();

  return Object.assign(
    defineSubgraph({
      name: "payments",
      environment: paymentsEnvironment,
      typeDefs: loadSubgraphTypeDefs("payments"),
      resolvers,
      createDatabase: createPaymentsDatabase,
      eventHandlers: paymentsEventHandlers,
      workers: (runtime) => [
        paymentWorker(
          {
            db: runtime.db,
            unitOfWork: runtime.unitOfWork,
            provider,
            retry: retryOf(runtime.env),
            logger: runtime.logger,
          },
          runtime.env.PAYMENT_WORKER_INTERVAL_MS,
        ),
      ],
      createContext: (runtime, base) => ({
        ...base,
        db: runtime.db,
        unitOfWork: runtime.unitOfWork,
        loaders: createPaymentsLoaders(runtime.db),
        provider,
        retry: retryOf(runtime.env),
      }),
    }),
    { provider },
  );
}
