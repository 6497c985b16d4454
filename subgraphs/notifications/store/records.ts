import type { Notification, NotificationPreference } from "../generated/prisma/client";
import type { Connection } from "../../common/pagination";

export type NotificationRecord = Notification;
export type PreferencesRecord = Omit<NotificationPreference, "userId" | "updatedAt">;

/** A page of a user's notifications; `unreadCount` is computed only when selected. */
export interface NotificationPage extends Connection<NotificationRecord> {
  unreadCount: () => Promise<number>;
}

/** A user as other subgraphs reference them: only the id. */
export interface UserReference {
  id: string;
}
