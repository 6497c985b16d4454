import { afterNewestFirst } from "../../common/pagination";
import type { NotificationsReader } from "./database";
import type { NotificationRecord } from "./records";

export interface NotificationListQuery {
  userId: string;
  unreadOnly: boolean;
  size: number;
  after?: string | null;
}

function filter(query: Pick<NotificationListQuery, "userId" | "unreadOnly">) {
  return { userId: query.userId, ...(query.unreadOnly ? { channel: "IN_APP" as const, readAt: null } : {}) };
}

export function listNotifications(db: NotificationsReader, query: NotificationListQuery): Promise<NotificationRecord[]> {
  return db.notification.findMany({
    where: { ...filter(query), ...afterNewestFirst(query.after) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.size + 1,
  });
}

export function countNotifications(db: NotificationsReader, query: Pick<NotificationListQuery, "userId" | "unreadOnly">): Promise<number> {
  return db.notification.count({ where: filter(query) });
}

export function countUnread(db: NotificationsReader, userId: string): Promise<number> {
  return countNotifications(db, { userId, unreadOnly: true });
}
