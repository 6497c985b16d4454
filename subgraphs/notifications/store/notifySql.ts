import { anyOfParameter, opaqueParameter, sql, statement } from "../../common/database/sqlPool";
import type { NotificationChannel } from "../generated/prisma/client";
import type { TemplateSources } from "../templates/defaults";
import type { NotificationsSqlTx } from "./database";
import { defaultPreferences, type NewNotification } from "./notificationStore";
import type { ChannelPreferences, KindChoice, PreferencesRecord } from "./records";

/**
 * The write path of notifications in set-based SQL on the service's pool (see sqlPool.ts): what
 * the messages of any number of requests need, in one statement, and their rows, in one.
 */

/** What the users read model knows of a recipient, with their preferences. */
export interface RecipientFacts {
  userId: string;
  /** The account's address ('' in the read model: not known yet). */
  email: string | null;
  phoneNumber: string | null;
  pushDevices: number;
  preferences: PreferencesRecord;
}

/** Everything the messages need: their recipients (the admins too, when asked) and the staff's templates. */
export interface NotifyRead {
  recipients: Map<string, RecipientFacts>;
  /** Every administrator's id, when asked for (else empty). */
  admins: string[];
  /** The templates staff customized, of the kinds asked for, by `<kind>/<channel>`. */
  templates: Map<string, TemplateSources>;
}

interface RecipientJson {
  userId: string;
  email: string | null;
  phoneNumber: string | null;
  pushDevices: number;
  isAdmin: boolean;
  preferences: ChannelPreferences | null;
  kinds: KindChoice[] | null;
}

interface NotifyReadRow {
  recipients: RecipientJson[] | null;
  templates: Array<{ kind: string; channel: NotificationChannel } & TemplateSources> | null;
}

const notifyRead = statement(
  "notifications.notify.read",
  `WITH wanted AS (
     SELECT id AS user_id FROM unnest(${opaqueParameter("$1", "uuid[]")}) AS id
     UNION SELECT user_id FROM known_users WHERE ${opaqueParameter("$2", "boolean")} AND is_admin
   )
   SELECT (SELECT json_agg(json_build_object(
             'userId', w.user_id, 'email', u.email, 'phoneNumber', u.phone_number,
             'isAdmin', coalesce(u.is_admin, false),
             'pushDevices', (SELECT count(*) FROM known_push_devices d WHERE d.user_id = w.user_id),
             'preferences', CASE WHEN p.user_id IS NULL THEN NULL ELSE json_build_object(
               'email', p.email, 'sms', p.sms, 'push', p.push, 'orderUpdates', p.order_updates,
               'marketing', p.marketing) END,
             'kinds', (SELECT json_agg(json_build_object('kind', k.kind, 'channel', k.channel, 'enabled', k.enabled))
                         FROM notification_kind_preferences k WHERE k.user_id = w.user_id)))
             FROM wanted w
             LEFT JOIN known_users u ON u.user_id = w.user_id
             LEFT JOIN notification_preferences p ON p.user_id = w.user_id) AS recipients,
          (SELECT json_agg(json_build_object('kind', t.kind, 'channel', t.channel, 'subject', t.subject,
                                             'text', t.text, 'html', t.html))
             FROM notification_templates t
            WHERE t.kind = ${anyOfParameter("$3", "text[]")} AND t.customized AND t.subject IS NOT NULL AND t.text IS NOT NULL) AS templates`,
);

/**
 * In one statement: the users read model's facts and the preferences (the defaults for those
 * without) of `userIds`, and of every administrator when `withAdmins`; and the templates staff
 * customized for `kinds` (a kind and channel not among them uses the code's default).
 */
export async function readForNotify(
  db: NotificationsSqlTx,
  request: { userIds: readonly string[]; withAdmins: boolean; kinds: readonly string[] },
): Promise<NotifyRead> {
  const [row] = await sql<NotifyReadRow>(db, notifyRead, [
    [...new Set(request.userIds)],
    request.withAdmins,
    [...new Set(request.kinds)],
  ]);
  const recipients = new Map<string, RecipientFacts>();
  const admins: string[] = [];
  for (const each of row?.recipients ?? []) {
    recipients.set(each.userId, {
      userId: each.userId,
      email: each.email,
      phoneNumber: each.phoneNumber,
      pushDevices: Number(each.pushDevices),
      preferences: { ...(each.preferences ?? defaultPreferences), kinds: each.kinds ?? [] },
    });
    if (each.isAdmin) admins.push(each.userId);
  }
  const templates = new Map(
    (row?.templates ?? []).map(({ kind, channel, subject, text, html }) => [
      `${kind}/${channel}`,
      { subject, text, html },
    ]),
  );
  return { recipients, admins: request.withAdmins ? admins : [], templates };
}

const insertNotificationRows = statement(
  "notifications.notify.insert",
  `WITH inserted AS (
     INSERT INTO notifications (id, user_id, channel, kind, subject, body, html, sealed_secret, recipient,
                                delivery_status, status_reason, sent_at, next_attempt_at, source_event_id)
     SELECT gen_random_uuid(), r.user_id, r.channel, r.kind, r.subject, r.body, r.html, r.sealed_secret, r.recipient,
            r.delivery_status, r.status_reason, r.sent_at, r.next_attempt_at, r.source_event_id
       FROM json_to_recordset($1::json) AS r(user_id uuid, channel "NotificationChannel", kind text, subject text,
              body text, html text, sealed_secret text, recipient text, delivery_status "DeliveryStatus",
              status_reason text, sent_at timestamptz, next_attempt_at timestamptz, source_event_id uuid)
     ON CONFLICT DO NOTHING
     RETURNING 1
   )
   SELECT count(*)::int AS count FROM inserted`,
);

/**
 * Stores notifications in one statement; one per event, user, channel and kind, so a
 * redelivered event adds none. Returns how many were new.
 */
export async function insertNotificationsSql(
  tx: NotificationsSqlTx,
  notifications: readonly NewNotification[],
): Promise<number> {
  if (notifications.length === 0) return 0;
  const rows = notifications.map((each) => ({
    user_id: each.userId,
    channel: each.channel,
    kind: each.kind,
    subject: each.subject,
    body: each.body,
    html: each.html,
    sealed_secret: each.sealedSecret ?? null,
    recipient: each.recipient,
    delivery_status: each.deliveryStatus,
    status_reason: each.statusReason,
    sent_at: each.sentAt ?? null,
    next_attempt_at: each.nextAttemptAt ?? null,
    source_event_id: each.sourceEventId,
  }));
  const [row] = await sql<{ count: number }>(tx, insertNotificationRows, [JSON.stringify(rows)]);
  return row?.count ?? 0;
}
