/**
 * The orders subgraph's public surface: what starts it (the process entry, the stack, tests), and
 * the checkout saga's state machine, which others follow (the router orders live updates by it).
 * Everything else under subgraphs/orders is its own.
 */
export { ordersService } from "./service";
export { ordersEnvironment, type OrdersEnvironment } from "./environment";
export { createOrdersDatabase, type OrdersDb, type OrdersTx } from "./store/database";
export { decide, orderStatuses, sagaEventTypes } from "./domain/orderStateMachine";
/** How carriers sign their tracking webhooks, for carriers' integrations and tests. */
export { carrierSignatureHeader, signCarrierEvent } from "./domain/fulfillment/carrierWebhook";
