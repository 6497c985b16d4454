/**
 * The payments subgraph's public surface: what starts it (the process entry, the stack, tests)
 * and the provider interface a real provider implements. Everything else under
 * subgraphs/payments is its own.
 */
export { createPaymentsService } from "./service";
export { paymentsEnvironment, type PaymentsEnvironment } from "./environment";
export { createPaymentsDatabase, type PaymentsDb, type PaymentsTx } from "./store/database";
export type { PaymentProvider } from "./provider/paymentProvider";
export type { SimulatedPaymentProvider } from "./provider/simulatedProvider";
