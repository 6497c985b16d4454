import type { DueWorkTable } from "../../common/dueWork/claimDue";
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
  return (await db.knownUser.findUnique({ where: { userId } }))?.email || undefined;
}

/** The push tokens of a user, from the users read model. */
export async function pushTokensOf(db: NotificationsReader, userId: string): Promise<string[]> {
  const devices = await db.knownPushDevice.findMany({ where: { userId }, orderBy: { deviceId: "asc" } });
  return devices.map((device) => device.token);
}

/** How many push devices each of the users has, in one statement. */
export async function pushDeviceCounts(
  db: NotificationsReader,
  userIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = await db.knownPushDevice.groupBy({
    by: ["userId"],
    where: { userId: { in: [...userIds] } },
    _count: { _all: true },
  });
  return new Map(counts.map((row) => [row.userId, row._count._all]));
}

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

export interface ContactChannelFacts {
  userId: string;
  phoneNumber: string | null;
  pushDevices: ReadonlyArray<{ deviceId: string; token: string; platform: string }>;
}

/**
 * Where a user's texts and pushes go, from `users.contact_channels.changed`: the number and the
 * whole set of devices replace what was known, unless newer facts are already stored. A user not
 * known yet gets a row whose other facts lose to any users event.
 */
export async function rememberContactChannels(
  tx: NotificationsTx,
  facts: ContactChannelFacts,
  at: Date,
): Promise<void> {
  const applied = await tx.$queryRaw<Array<{ user_id: string }>>`
    INSERT INTO known_users (user_id, email, name, is_admin, facts_at, phone_number, contact_facts_at)
    VALUES (${facts.userId}::uuid, '', '', false, 'epoch', ${facts.phoneNumber}, ${at})
    ON CONFLICT (user_id) DO UPDATE SET phone_number = EXCLUDED.phone_number, contact_facts_at = EXCLUDED.contact_facts_at
     WHERE known_users.contact_facts_at IS NULL OR known_users.contact_facts_at <= EXCLUDED.contact_facts_at
    RETURNING user_id::text`;
  if (applied.length === 0) return;
  await tx.knownPushDevice.deleteMany({
    where: { userId: facts.userId, deviceId: { notIn: facts.pushDevices.map((device) => device.deviceId) } },
  });
  for (const device of facts.pushDevices) {
    // A device that moved from another user belongs to this one from now on.
    await tx.knownPushDevice.upsert({
      where: { deviceId: device.deviceId },
      create: { ...device, userId: facts.userId },
      update: { userId: facts.userId, token: device.token, platform: device.platform },
    });
  }
}

export function knownUsers(db: NotificationsReader, userIds: readonly string[]) {
  return db.knownUser.findMany({ where: { userId: { in: [...userIds] } } });
}

export function admins(db: NotificationsReader) {
  return db.knownUser.findMany({ where: { isAdmin: true } });
}
