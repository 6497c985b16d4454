import type { DueWorkTable } from "../../common/dueWork/claimDue";
import { afterNewestFirst } from "../../common/pagination";
import type { NotificationChannel } from "../generated/prisma/client";
import type { NotificationsReader, NotificationsTx } from "./database";
import type { NotificationRecord, PreferencesRecord } from "./records";

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

/** Stores notifications; one per event, user, channel and kind, so a redelivered event adds none. Returns how many were new. */
export async function insertNotifications(
  tx: NotificationsTx,
  notifications: readonly NewNotification[],
): Promise<number> {
  if (notifications.length === 0) return 0;
  const { count } = await tx.notification.createMany({ data: [...notifications], skipDuplicates: true });
  return count;
}

/** Messages due to go out: PENDING, at their `next_attempt_at`. */
export const dueNotifications: DueWorkTable = { table: "notifications", pending: "delivery_status = 'PENDING'" };

/** What a try at delivering a message changes: its status (as the delivery state machine decided) and its bookkeeping. */
export type DeliveryChange = Partial<
  Pick<
    NotificationRecord,
    "deliveryStatus" | "attempts" | "statusReason" | "nextAttemptAt" | "sentAt" | "recipient" | "sealedSecret"
  >
>;

/** The one place a message's delivery status is written after it was created. */
export async function saveDelivery(db: NotificationsReader, id: string, change: DeliveryChange): Promise<void> {
  await db.notification.update({ where: { id }, data: change });
}

export function findNotification(db: NotificationsReader, id: string): Promise<NotificationRecord | null> {
  return db.notification.findUnique({ where: { id } });
}

/** The address of a user, from the users read model (a message may be created before it is known). */
export async function emailOf(db: NotificationsReader, userId: string): Promise<string | undefined> {
  return (await db.knownUser.findUnique({ where: { userId } }))?.email;
}

export const defaultPreferences: PreferencesRecord = {
  email: true,
  sms: false,
  push: false,
  orderUpdates: true,
  marketing: false,
};

export async function preferencesOf(
  db: NotificationsReader,
  userIds: readonly string[],
): Promise<Map<string, PreferencesRecord>> {
  const rows = await db.notificationPreference.findMany({ where: { userId: { in: [...userIds] } } });
  const stored = new Map(rows.map(({ userId, updatedAt: _updatedAt, ...preferences }) => [userId, preferences]));
  return new Map(userIds.map((id) => [id, stored.get(id) ?? defaultPreferences]));
}

export async function savePreferences(
  tx: NotificationsTx,
  userId: string,
  changes: Partial<PreferencesRecord>,
): Promise<PreferencesRecord> {
  const {
    updatedAt: _updatedAt,
    userId: _userId,
    ...saved
  } = await tx.notificationPreference.upsert({
    where: { userId },
    create: { userId, ...defaultPreferences, ...changes },
    update: changes,
  });
  return saved;
}

/** Marks a user's own notification read; null when the user has no notification with this id. */
export async function markRead(tx: NotificationsTx, userId: string, id: string): Promise<NotificationRecord | null> {
  const notification = await tx.notification.findFirst({ where: { id, userId } });
  if (!notification) return null;
  if (notification.readAt) return notification;
  return tx.notification.update({ where: { id }, data: { readAt: new Date() } });
}

export interface KnownUserFacts {
  userId: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

/** The users read model; an older fact never overwrites a newer one (events can arrive out of order). */
export async function rememberUser(tx: NotificationsTx, user: KnownUserFacts, at: Date): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO known_users (user_id, email, name, is_admin, facts_at) VALUES (${user.userId}::uuid, ${user.email}, ${user.name}, ${user.isAdmin}, ${at})
    ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, is_admin = EXCLUDED.is_admin, facts_at = EXCLUDED.facts_at
     WHERE known_users.facts_at <= EXCLUDED.facts_at`;
}

export function knownUsers(db: NotificationsReader, userIds: readonly string[]) {
  return db.knownUser.findMany({ where: { userId: { in: [...userIds] } } });
}

export function admins(db: NotificationsReader) {
  return db.knownUser.findMany({ where: { isAdmin: true } });
}
