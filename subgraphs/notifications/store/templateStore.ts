import type { NotificationChannel } from "../generated/prisma/client";
import { defaultTemplate, type TemplateSources } from "../templates/defaults";
import type { NotificationKind } from "../templates/kinds";
import type { NotificationsReader, NotificationsTx } from "./database";
import type { TemplateVersionRecord, TemplateView } from "./records";

type TemplateRow = Awaited<ReturnType<NotificationsReader["notificationTemplate"]["findMany"]>>[number];

function viewOf(kind: NotificationKind, channel: NotificationChannel, row: TemplateRow | undefined): TemplateView {
  const sources: TemplateSources =
    row?.customized && row.subject !== null && row.text !== null
      ? { subject: row.subject, text: row.text, html: row.html }
      : defaultTemplate(kind, channel);
  return {
    kind,
    channel,
    ...sources,
    customized: row?.customized ?? false,
    version: row?.version ?? 0,
    updatedAt: row?.updatedAt ?? null,
    updatedBy: row?.updatedBy ?? null,
  };
}

/** The templates in use for the given kinds and channels, in one statement. */
export async function templatesOf(
  db: NotificationsReader,
  kinds: readonly NotificationKind[],
  channels: readonly NotificationChannel[],
): Promise<TemplateView[]> {
  const rows = await db.notificationTemplate.findMany({
    where: { kind: { in: [...kinds] }, channel: { in: [...channels] } },
  });
  const byKey = new Map(rows.map((row) => [`${row.kind}/${row.channel}`, row]));
  return kinds.flatMap((kind) => channels.map((channel) => viewOf(kind, channel, byKey.get(`${kind}/${channel}`))));
}

export type TemplateChangeOutcome = { kind: "changed"; template: TemplateView } | { kind: "stale"; version: number };

/**
 * Changes a template to `sources` (null: back to the code's default) as `userId`, and keeps the
 * change as the next version, in the caller's transaction. The template's row is locked first
 * (created at version 0 if it never changed), so concurrent changes are numbered one after the
 * other; with `expectedVersion`, a template that has moved on is left alone ("stale").
 */
export async function changeTemplate(
  tx: NotificationsTx,
  change: {
    kind: NotificationKind;
    channel: NotificationChannel;
    sources: TemplateSources | null;
    userId: string;
    expectedVersion?: number | null;
  },
): Promise<TemplateChangeOutcome> {
  const { kind, channel, sources, userId } = change;
  await tx.$executeRaw`
    INSERT INTO notification_templates (kind, channel, version, customized, updated_by, updated_at)
    VALUES (${kind}, ${channel}::"NotificationChannel", 0, false, ${userId}::uuid, now())
    ON CONFLICT (kind, channel) DO NOTHING`;
  const [current] = await tx.$queryRaw<Array<{ version: number }>>`
    SELECT version FROM notification_templates WHERE kind = ${kind} AND channel = ${channel}::"NotificationChannel" FOR UPDATE`;
  const version = current!.version;
  if (change.expectedVersion !== null && change.expectedVersion !== undefined && change.expectedVersion !== version) {
    return { kind: "stale", version };
  }
  const now = new Date();
  const content = { subject: sources?.subject ?? null, text: sources?.text ?? null, html: sources?.html ?? null };
  const row = await tx.notificationTemplate.update({
    where: { kind_channel: { kind, channel } },
    data: { ...content, version: version + 1, customized: sources !== null, updatedBy: userId, updatedAt: now },
  });
  await tx.notificationTemplateVersion.create({
    data: {
      kind,
      channel,
      version: version + 1,
      change: sources ? "SAVED" : "RESET",
      ...content,
      changedBy: userId,
      changedAt: now,
    },
  });
  return { kind: "changed", template: viewOf(kind, channel, row) };
}

/** A template's versions, newest first, after the version `before` (exclusive) when given. */
export function templateVersions(
  db: NotificationsReader,
  kind: NotificationKind,
  channel: NotificationChannel,
  size: number,
  before?: number,
): Promise<TemplateVersionRecord[]> {
  return db.notificationTemplateVersion.findMany({
    where: { kind, channel, ...(before !== undefined ? { version: { lt: before } } : {}) },
    orderBy: { version: "desc" },
    take: size + 1,
  });
}

export function countTemplateVersions(
  db: NotificationsReader,
  kind: NotificationKind,
  channel: NotificationChannel,
): Promise<number> {
  return db.notificationTemplateVersion.count({ where: { kind, channel } });
}
