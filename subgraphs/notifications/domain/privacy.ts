import type { PrivacyParticipant } from "../../common/privacy/privacyHandlers";
import { maxExportRecords } from "../../common/privacy/privacyParts";
import type { NotificationsTx } from "../store/database";
import { eraseUserData, findContactsAndPreferences, findNotificationsOfUser } from "../store/privacyStore";

/**
 * The notifications service's answer to privacy requests: the messages sent to the person, where
 * they went, and their preferences. Secrets (sealed links) are never exported.
 */
export const notificationsPrivacy: PrivacyParticipant<NotificationsTx> = {
  async exportData(tx, userId) {
    const [notifications, { known, devices, preferences, kinds }] = await Promise.all([
      findNotificationsOfUser(tx, userId, maxExportRecords),
      findContactsAndPreferences(tx, userId),
    ]);
    return {
      contacts: known ? { email: known.email, name: known.name, phoneNumber: known.phoneNumber } : null,
      pushDevices: devices.map((device) => ({ deviceId: device.deviceId, platform: device.platform })),
      preferences: preferences
        ? {
            email: preferences.email,
            sms: preferences.sms,
            push: preferences.push,
            orderUpdates: preferences.orderUpdates,
            marketing: preferences.marketing,
          }
        : null,
      kindPreferences: kinds.map((each) => ({ kind: each.kind, channel: each.channel, enabled: each.enabled })),
      notifications: notifications.map((notification) => ({
        id: notification.id,
        channel: notification.channel,
        kind: notification.kind,
        subject: notification.subject,
        body: notification.body,
        recipient: notification.recipient,
        deliveryStatus: notification.deliveryStatus,
        readAt: notification.readAt,
        sentAt: notification.sentAt,
        createdAt: notification.createdAt,
      })),
    };
  },
  erase: (tx, userId) => eraseUserData(tx, userId),
};
