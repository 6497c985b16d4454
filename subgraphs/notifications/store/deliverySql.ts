import { sql, statement } from "../../common/database/sqlPool";
import type { DeliveryStatus, NotificationChannel } from "../generated/prisma/client";
import type { NotificationsReader } from "./database";

/**
 * The delivery worker's statements on the service's pool (see sqlPool.ts): a batch of due
 * messages claimed with what sending them needs, and the outcomes of a batch recorded, one
 * statement each.
 */

/** A due message as the worker takes it, with the users read model's facts its channel needs. */
export interface ClaimedNotification {
  id: string;
  userId: string;
  channel: NotificationChannel;
  subject: string;
  body: string;
  html: string | null;
  sealedSecret: string | null;
  recipient: string | null;
  attempts: number;
  deliveryStatus: DeliveryStatus;
  /** An email's address from the users read model, for a message made before it was known (else null). */
  knownEmail: string | null;
  /** A push's device tokens now, by device id (else null). */
  pushTokens: string[] | null;
}

const claimDueNotifications = statement(
  "notifications.delivery.claim",
  `WITH claimed AS (
     UPDATE notifications SET next_attempt_at = now() + make_interval(secs => $2)
      WHERE id IN (SELECT id FROM notifications WHERE delivery_status = 'PENDING' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING id, user_id, channel, subject, body, html, sealed_secret, recipient, attempts, delivery_status
   )
   SELECT c.id::text AS id, c.user_id::text AS "userId", c.channel::text AS channel, c.subject, c.body, c.html,
          c.sealed_secret AS "sealedSecret", c.recipient, c.attempts, c.delivery_status::text AS "deliveryStatus",
          CASE WHEN c.channel = 'EMAIL' AND c.recipient IS NULL
               THEN (SELECT nullif(u.email, '') FROM known_users u WHERE u.user_id = c.user_id) END AS "knownEmail",
          CASE WHEN c.channel = 'PUSH'
               THEN coalesce((SELECT array_agg(d.token ORDER BY d.device_id) FROM known_push_devices d
                               WHERE d.user_id = c.user_id), '{}') END AS "pushTokens"
     FROM claimed c`,
);

/**
 * Takes up to `limit` due messages, leasing them for `leaseMs` (their `next_attempt_at` moves
 * past the lease: no other worker or replica takes them meanwhile, and one whose worker crashed
 * is taken again once the lease ends), with the address and devices they go to. One statement;
 * messages another worker is claiming are skipped, not waited for.
 */
export function claimNotifications(
  db: NotificationsReader,
  limit: number,
  leaseMs: number,
): Promise<ClaimedNotification[]> {
  return sql<ClaimedNotification>(db, claimDueNotifications, [limit, leaseMs / 1000]);
}

/** What one try changed: every outcome sets these; the others keep theirs unless given. */
export interface DeliveryRecord {
  id: string;
  deliveryStatus: DeliveryStatus;
  attempts: number;
  statusReason: string | null;
  nextAttemptAt: Date | null;
  /** Set when it went out (else unchanged). */
  sentAt?: Date;
  /** Where it went (else unchanged). */
  recipient?: string;
  /** The sealed secret is dropped: sent, or never to be. */
  dropSecret: boolean;
}

const recordDeliveries = statement(
  "notifications.delivery.record",
  `UPDATE notifications n
      SET delivery_status = r.delivery_status, attempts = r.attempts, status_reason = r.status_reason,
          next_attempt_at = r.next_attempt_at, sent_at = coalesce(r.sent_at, n.sent_at),
          recipient = coalesce(r.recipient, n.recipient),
          sealed_secret = CASE WHEN r.drop_secret THEN NULL ELSE n.sealed_secret END
     FROM json_to_recordset($1::json) AS r(id uuid, delivery_status "DeliveryStatus", attempts int, status_reason text,
            next_attempt_at timestamptz, sent_at timestamptz, recipient text, drop_secret boolean)
    WHERE n.id = r.id`,
);

/** Records the outcomes of a batch of tries, in one statement. */
export async function recordDeliveryOutcomes(
  db: NotificationsReader,
  records: readonly DeliveryRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map((each) => ({
    id: each.id,
    delivery_status: each.deliveryStatus,
    attempts: each.attempts,
    status_reason: each.statusReason,
    next_attempt_at: each.nextAttemptAt,
    sent_at: each.sentAt ?? null,
    recipient: each.recipient ?? null,
    drop_secret: each.dropSecret,
  }));
  await sql(db, recordDeliveries, [JSON.stringify(rows)]);
}
