import { sql, statement } from "../../common/database/sqlPool";
import type { NotificationsSqlTx } from "./database";

/**
 * The users read model (who a message goes to, where), kept from the users service's events in
 * named SQL on the service's pool (see sqlPool.ts), one statement per event.
 */

export interface KnownUserFacts {
  userId: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

const rememberUserStatement = statement(
  "notifications.knownUsers.remember",
  `INSERT INTO known_users (user_id, email, name, is_admin, facts_at) VALUES ($1::uuid, $2, $3, $4, $5::timestamptz)
   ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, is_admin = EXCLUDED.is_admin,
                                       facts_at = EXCLUDED.facts_at
    WHERE known_users.facts_at <= EXCLUDED.facts_at`,
);

/** The users read model; an older fact never overwrites a newer one (events can arrive out of order). */
export async function rememberUser(tx: NotificationsSqlTx, user: KnownUserFacts, at: Date): Promise<void> {
  await sql(tx, rememberUserStatement, [user.userId, user.email, user.name, user.isAdmin, at]);
}

export interface ContactChannelFacts {
  userId: string;
  phoneNumber: string | null;
  pushDevices: ReadonlyArray<{ deviceId: string; token: string; platform: string }>;
}

const rememberContactChannelsStatement = statement(
  "notifications.knownUsers.contactChannels",
  `WITH applied AS (
     INSERT INTO known_users (user_id, email, name, is_admin, facts_at, phone_number, contact_facts_at)
     VALUES ($1::uuid, '', '', false, 'epoch', $2, $3::timestamptz)
     ON CONFLICT (user_id) DO UPDATE SET phone_number = EXCLUDED.phone_number, contact_facts_at = EXCLUDED.contact_facts_at
      WHERE known_users.contact_facts_at IS NULL OR known_users.contact_facts_at <= EXCLUDED.contact_facts_at
     RETURNING user_id
   ), devices AS (
     SELECT d.device_id, d.token, d.platform
       FROM json_to_recordset($4::json) AS d(device_id uuid, token text, platform text)
   ), removed AS (
     DELETE FROM known_push_devices k
      WHERE k.user_id = $1::uuid AND EXISTS (SELECT 1 FROM applied)
        AND k.device_id NOT IN (SELECT device_id FROM devices)
   )
   INSERT INTO known_push_devices (device_id, user_id, token, platform)
   SELECT d.device_id, $1::uuid, d.token, d.platform FROM devices d WHERE EXISTS (SELECT 1 FROM applied)
   ON CONFLICT (device_id) DO UPDATE SET user_id = EXCLUDED.user_id, token = EXCLUDED.token, platform = EXCLUDED.platform`,
);

/**
 * Where a user's texts and pushes go, from `users.contact_channels.changed`: the number and the
 * whole set of devices replace what was known, unless newer facts are already stored; a device
 * that moved from another user belongs to this one from now on. A user not known yet gets a row
 * whose other facts lose to any users event. One statement.
 */
export async function rememberContactChannels(
  tx: NotificationsSqlTx,
  facts: ContactChannelFacts,
  at: Date,
): Promise<void> {
  // A device named twice is what it was said to be last.
  const byId = new Map(facts.pushDevices.map((device) => [device.deviceId.toLowerCase(), device]));
  const devices = [...byId.values()].map((device) => ({
    device_id: device.deviceId,
    token: device.token,
    platform: device.platform,
  }));
  await sql(tx, rememberContactChannelsStatement, [facts.userId, facts.phoneNumber, at, JSON.stringify(devices)]);
}
