import { requirePermission } from "../../common/auth/guards";
import { recordAudit } from "../../common/audit/recordAudit";
import type { Caller } from "../../common/auth/caller";
import { ConflictError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import type { NotificationChannel } from "../generated/prisma/client";
import type { NotificationsReader, NotificationsTx } from "../store/database";
import type { TemplateView } from "../store/records";
import { changeTemplate, templatesOf } from "../store/templateStore";
import { checkedTemplate, renderContent, type RenderedContent } from "../templates/content";
import { kindDefinitions, notificationKinds, templateChannels, type NotificationKind } from "../templates/kinds";

/** Who may read and change templates: staff holding TEMPLATES (ADMIN holds every permission). */
export function requireTemplateEditor(caller: Caller | null | undefined): Caller {
  return requirePermission(caller, "TEMPLATES");
}

export function listTemplates(
  db: NotificationsReader,
  filter: { kind?: NotificationKind | null; channel?: NotificationChannel | null },
): Promise<TemplateView[]> {
  return templatesOf(
    db,
    filter.kind ? [filter.kind] : notificationKinds,
    filter.channel ? [filter.channel] : templateChannels,
  );
}

export async function templateOf(
  db: NotificationsReader,
  kind: NotificationKind,
  channel: NotificationChannel,
): Promise<TemplateView> {
  const [template] = await templatesOf(db, [kind], [channel]);
  return template!;
}

/**
 * Renders the template of `kind` on `channel` (or a draft, checked as a save would check it) with
 * the kind's sample values. A secret shows as its placeholder: previews never hold one.
 */
export async function previewTemplate(
  db: NotificationsReader,
  kind: NotificationKind,
  channel: NotificationChannel,
  draft?: { subject: string; text: string; html?: string | null } | null,
): Promise<RenderedContent> {
  const sources = draft ? checkedTemplate(kind, channel, draft, "draft.") : await templateOf(db, kind, channel);
  return renderContent(sources, kindDefinitions[kind].sample);
}

export interface TemplateChangeDependencies {
  unitOfWork: UnitOfWork<NotificationsTx>;
  /** Who asks (the request's caller), for the audit log. */
  caller?: Caller | null;
}

/** What the audit log keeps of a template: its content and version. */
function auditView(template: TemplateView) {
  const { subject, text, html, version, customized } = template;
  return { subject, text, html, version, customized };
}

/** Changes a template and records the change in the audit log, in one transaction. */
function changeAudited(deps: TemplateChangeDependencies, change: Parameters<typeof changeTemplate>[1]) {
  return deps.unitOfWork(async (tx, emit) => {
    const before = await templateOf(tx, change.kind, change.channel);
    const outcome = await changeTemplate(tx, change);
    if (outcome.kind === "changed") {
      await recordAudit(tx, emit, "notifications", deps.caller, {
        entityType: "NOTIFICATION_TEMPLATE",
        entityId: `${change.kind}/${change.channel}`,
        action: change.sources ? "template.saved" : "template.reset",
        before: auditView(before),
        after: auditView(outcome.template),
      });
    }
    return outcome;
  });
}

function staleVersion(version: number): ConflictError {
  return new ConflictError(
    `The template has changed since (it is at version ${version} now): reload it and make the change again.`,
    "expectedVersion",
  );
}

/** Saves new content for a template, checked first, as a new version by `userId`. */
export async function updateTemplate(
  deps: TemplateChangeDependencies,
  userId: string,
  input: {
    kind: NotificationKind;
    channel: NotificationChannel;
    subject: string;
    text: string;
    html?: string | null;
    expectedVersion?: number | null;
  },
): Promise<TemplateView> {
  const sources = checkedTemplate(input.kind, input.channel, input);
  const outcome = await changeAudited(deps, {
    kind: input.kind,
    channel: input.channel,
    sources,
    userId,
    expectedVersion: input.expectedVersion,
  });
  if (outcome.kind === "stale") throw staleVersion(outcome.version);
  return outcome.template;
}

/** Goes back to the code's default template, as a new version by `userId`. */
export async function resetTemplate(
  deps: TemplateChangeDependencies,
  userId: string,
  input: { kind: NotificationKind; channel: NotificationChannel; expectedVersion?: number | null },
): Promise<TemplateView> {
  const outcome = await changeAudited(deps, { ...input, sources: null, userId });
  if (outcome.kind === "stale") throw staleVersion(outcome.version);
  return outcome.template;
}
