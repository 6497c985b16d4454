import { sql, statement } from "../../common/database/sqlPool";
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

const saveKindChoices = statement(
  "notifications.preferences.kinds",
  `INSERT INTO notification_kind_preferences (user_id, kind, channel, enabled, updated_at)
   SELECT $1::uuid, c.kind, c.channel, c.enabled, now()
     FROM json_to_recordset($2::json) AS c(kind text, channel "NotificationChannel", enabled boolean)
   ON CONFLICT (user_id, kind, channel) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at`,
);

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
  if (kindChanges.length > 0) {
    // One statement for every choice; a choice given twice is what it was said to be last.
    const choices = new Map(kindChanges.map((choice) => [`${choice.kind}/${choice.channel}`, choice]));
    await sql(tx, saveKindChoices, [userId, JSON.stringify([...choices.values()])]);
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
