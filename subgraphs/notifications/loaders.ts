import DataLoader from "dataloader";
import type { NotificationsDb } from "./store/database";
import { preferencesOf } from "./store/notificationStore";

export function createNotificationsLoaders(db: NotificationsDb) {
  return {
    preferencesOf: new DataLoader(async (userIds: readonly string[]) => {
      const preferences = await preferencesOf(db, userIds);
      return userIds.map((id) => preferences.get(id)!);
    }),
  };
}

export type NotificationsLoaders = ReturnType<typeof createNotificationsLoaders>;
