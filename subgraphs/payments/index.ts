/**
 * The payments subgraph's public surface: what starts it (the process entry, the stack, tests),
 * the provider interface a real provider implements, and what orders asks before it places an
 * order (whether its total can be paid at all). Everything else under subgraphs/payments is its own.
 */
export { createPaymentsService } from "./service";
export { paymentsEnvironment, type PaymentsEnvironment } from "./environment";
export { createPaymentsDatabase, type PaymentsDb, type PaymentsTx } from "./store/database";
export { payability, type Payability } from "../common/payability";
export type { PaymentProvider } from "./provider/paymentProvider";
export type { SimulatedPaymentProvider } from "./provider/simulated/simulatedProvider";
