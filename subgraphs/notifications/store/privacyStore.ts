import type { NotificationsReader, NotificationsTx } from "./database";

/** The user's most recent notifications. */
export function findNotificationsOfUser(db: NotificationsReader, userId: string, take: number) {
  return db.notification.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
  });
}

/** What the service knows of the user: contacts, devices, preferences. */
export async function findContactsAndPreferences(db: NotificationsReader, userId: string) {
  const [known, devices, preferences, kinds] = await Promise.all([
    db.knownUser.findUnique({ where: { userId } }),
    db.knownPushDevice.findMany({ where: { userId } }),
    db.notificationPreference.findUnique({ where: { userId } }),
    db.notificationKindPreference.findMany({ where: { userId } }),
  ]);
  return { known, devices, preferences, kinds };
}

/**
 * Erases what was sent to the user and where: every notification's subject, body, link and
 * recipient (messages not sent yet are skipped, never sent); their email, name and number (the
 * row stays, with facts dated so far ahead that no late users event writes them back); their
 * devices; their choices per kind. Channel preferences are all turned off, so nothing more is
 * sent to the id. Counts what changed, by kind.
 */
export async function eraseUserData(tx: NotificationsTx, userId: string) {
  const skipped = await tx.notification.updateMany({
    where: { userId, deliveryStatus: "PENDING" },
    data: { deliveryStatus: "SKIPPED", statusReason: "personal data erased", nextAttemptAt: null },
  });
  const notifications = await tx.notification.updateMany({
    where: { userId },
    data: { subject: "", body: "", html: null, sealedSecret: null, recipient: null },
  });
  const contacts = await tx.$executeRaw`
    UPDATE known_users
       SET email = '', name = '', phone_number = NULL, facts_at = '9999-12-31', contact_facts_at = '9999-12-31'
     WHERE user_id = ${userId}::uuid`;
  const devices = await tx.knownPushDevice.deleteMany({ where: { userId } });
  const kinds = await tx.notificationKindPreference.deleteMany({ where: { userId } });
  await tx.notificationPreference.upsert({
    where: { userId },
    create: { userId, email: false, sms: false, push: false, orderUpdates: false, marketing: false },
    update: { email: false, sms: false, push: false, orderUpdates: false, marketing: false },
  });
  return {
    notificationsErased: notifications.count,
    undeliveredSkipped: skipped.count,
    contactsErased: contacts,
    pushDevicesDeleted: devices.count,
    kindPreferencesDeleted: kinds.count,
  };
}
