import type { NotificationsDb } from "./store/database";

/** The notifications subgraph batches nothing yet: its lists are per user. */
export function createNotificationsLoaders(_db: NotificationsDb) {
  return {};
}

export type NotificationsLoaders = ReturnType<typeof createNotificationsLoaders>;
