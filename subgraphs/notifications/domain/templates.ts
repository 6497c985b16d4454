import { requirePermission } from "../../common/auth/guards";
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
  const outcome = await deps.unitOfWork((tx) =>
    changeTemplate(tx, {
      kind: input.kind,
      channel: input.channel,
      sources,
      userId,
      expectedVersion: input.expectedVersion,
    }),
  );
  if (outcome.kind === "stale") throw staleVersion(outcome.version);
  return outcome.template;
}

/** Goes back to the code's default template, as a new version by `userId`. */
export async function resetTemplate(
  deps: TemplateChangeDependencies,
  userId: string,
  input: { kind: NotificationKind; channel: NotificationChannel; expectedVersion?: number | null },
): Promise<TemplateView> {
  const outcome = await deps.unitOfWork((tx) => changeTemplate(tx, { ...input, sources: null, userId }));
  if (outcome.kind === "stale") throw staleVersion(outcome.version);
  return outcome.template;
}
