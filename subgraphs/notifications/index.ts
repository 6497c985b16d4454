/**
 * The notifications subgraph's public surface: what starts it (the process entry, the stack,
 * tests) and the transport interface a channel implements. Everything else under
 * subgraphs/notifications is its own.
 */
export { createNotificationsService } from "./service";
export { notificationsEnvironment, type NotificationsEnvironment } from "./environment";
export { createNotificationsDatabase, type NotificationsDb, type NotificationsTx } from "./store/database";
export type { NotificationTransport, OutgoingMessage, Transports } from "./transports/transport";
