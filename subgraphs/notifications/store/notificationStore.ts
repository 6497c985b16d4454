import { afterNewestFirst } from "../../common/pagination";
import type { NotificationChannel } from "../generated/prisma/client";
import type { NotificationsReader, NotificationsTx } from "./database";
import type { ChannelPreferences, KindChoice, NotificationRecord, PreferencesRecord } from "./records";

export interface NotificationListQuery {
  userId: string;
  unreadOnly: boolean;
  channel?: NotificationChannel | null;
  size: number;
  after?: string | null;
}

function filter(query: Pick<NotificationListQuery, "userId" | "unreadOnly" | "channel">) {
  return {
    userId: query.userId,
    ...(query.channel ? { channel: query.channel } : {}),
    ...(query.unreadOnly ? { channel: "IN_APP" as const, readAt: null } : {}),
  };
}

export function listNotifications(
  db: NotificationsReader,
  query: NotificationListQuery,
): Promise<NotificationRecord[]> {
  return db.notification.findMany({
    where: { ...filter(query), ...afterNewestFirst(query.after) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.size + 1,
  });
}

export function countNotifications(
  db: NotificationsReader,
  query: Pick<NotificationListQuery, "userId" | "unreadOnly" | "channel">,
): Promise<number> {
  return db.notification.count({ where: filter(query) });
}

export function countUnread(db: NotificationsReader, userId: string): Promise<number> {
  return countNotifications(db, { userId, unreadOnly: true });
}

export type NewNotification = Pick<
  NotificationRecord,
  | "userId"
  | "channel"
  | "kind"
  | "subject"
  | "body"
  | "html"
  | "recipient"
  | "deliveryStatus"
  | "statusReason"
  | "sourceEventId"
> & {
  sealedSecret?: string | null;
  sentAt?: Date | null;
  nextAttemptAt?: Date | null;
};

export const defaultPreferences: ChannelPreferences = {
  email: true,
  sms: false,
  push: false,
  orderUpdates: true,
  marketing: false,
};

/** The preferences of many users (the defaults for those without), with their choices per kind, in two statements. */
export async function preferencesOf(
  db: NotificationsReader,
  userIds: readonly string[],
): Promise<Map<string, PreferencesRecord>> {
  const [rows, choices] = await Promise.all([
    db.notificationPreference.findMany({ where: { userId: { in: [...userIds] } } }),
    db.notificationKindPreference.findMany({ where: { userId: { in: [...userIds] } } }),
  ]);
  const stored = new Map(rows.map(({ userId, updatedAt: _updatedAt, ...preferences }) => [userId, preferences]));
  const kindsOf = new Map<string, KindChoice[]>();
  for (const { userId, kind, channel, enabled } of choices) {
    kindsOf.set(userId, [...(kindsOf.get(userId) ?? []), { kind, channel, enabled }]);
  }
  return new Map(
    userIds.map((id) => [id, { ...(stored.get(id) ?? defaultPreferences), kinds: kindsOf.get(id) ?? [] }]),
  );
}

/** Saves the given switches and choices per kind; the others keep their value. */
export async function savePreferences(
  tx: NotificationsTx,
  userId: string,
  changes: Partial<ChannelPreferences>,
  kindChanges: readonly KindChoice[] = [],
): Promise<PreferencesRecord> {
  await tx.notificationPreference.upsert({
    where: { userId },
    create: { userId, ...defaultPreferences, ...changes },
    update: changes,
  });
  for (const choice of kindChanges) {
    await tx.notificationKindPreference.upsert({
      where: { userId_kind_channel: { userId, kind: choice.kind, channel: choice.channel } },
      create: { userId, ...choice },
      update: { enabled: choice.enabled },
    });
  }
  return (await preferencesOf(tx, [userId])).get(userId)!;
}

/** Marks a user's own notification read; null when the user has no notification with this id. */
export async function markRead(tx: NotificationsTx, userId: string, id: string): Promise<NotificationRecord | null> {
  const notification = await tx.notification.findFirst({ where: { id, userId } });
  if (!notification) return null;
  if (notification.readAt) return notification;
  return tx.notification.update({ where: { id }, data: { readAt: new Date() } });
}
