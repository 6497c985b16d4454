import { BadUserInputError } from "../../common/errors";
import type { NotificationChannel } from "../generated/prisma/client";
import type { TemplateSources } from "./defaults";
import { checkTemplate } from "./engine/check";
import { parseTemplate, TemplateSyntaxError, type TemplateNode } from "./engine/parse";
import { renderTemplate, type TemplateScope } from "./engine/render";
import { escapeHtml } from "./escape";
import { kindDefinitions, variablesOf, type NotificationKind } from "./kinds";

/** A message as rendered: what is stored and (with its secret put in) sent. */
export interface RenderedContent {
  subject: string;
  text: string;
  html: string | null;
}

/** Parsed templates by source: every message of a kind renders the same few templates. */
const parsed = new Map<string, TemplateNode[]>();
const maxParsed = 500;

function parsedOf(source: string): TemplateNode[] {
  let nodes = parsed.get(source);
  if (!nodes) {
    nodes = parseTemplate(source);
    if (parsed.size >= maxParsed) parsed.delete(parsed.keys().next().value!);
    parsed.set(source, nodes);
  }
  return nodes;
}

/** Renders a template with a message's values: the HTML with every value escaped, subject and text as they are. */
export function renderContent(template: TemplateSources, values: TemplateScope): RenderedContent {
  return {
    subject: renderTemplate(parsedOf(template.subject), values).replace(/\s+/g, " ").trim(),
    text: renderTemplate(parsedOf(template.text), values),
    html: template.html === null ? null : renderTemplate(parsedOf(template.html), values, escapeHtml),
  };
}

const bounds = { subject: 200, text: 20_000, html: 100_000 } as const;

/**
 * Checks new content for the template of `kind` on `channel`, as a save or a preview would take
 * it; BAD_USER_INPUT names the field at fault (`<prefix>subject`, `text`, `html`) and says what and
 * on which line. The content must parse, use only its message's values, and, on the channel that
 * carries its message's secret, put the secret in the text and the HTML.
 */
export function checkedTemplate(
  kind: NotificationKind,
  channel: NotificationChannel,
  input: { subject: string; text: string; html?: string | null },
  fieldPrefix = "",
): TemplateSources {
  const fields = variablesOf(kind, channel);
  const secret = kindDefinitions[kind].secret;
  const carriesSecret = secret?.channel === channel;
  const html = input.html ?? null;
  if (channel === "EMAIL" && html === null) {
    throw new BadUserInputError("An email template needs its HTML.", `${fieldPrefix}html`);
  }
  if (channel !== "EMAIL" && html !== null) {
    throw new BadUserInputError("Only email templates have HTML: leave it out.", `${fieldPrefix}html`);
  }
  const subject = input.subject.trim();
  if (/[\r\n]/.test(subject)) throw new BadUserInputError("The subject must be one line.", `${fieldPrefix}subject`);
  const sources: TemplateSources = { subject, text: input.text, html };
  for (const part of ["subject", "text", "html"] as const) {
    const source = sources[part];
    if (source === null) continue;
    const field = `${fieldPrefix}${part}`;
    if (source.trim().length === 0) throw new BadUserInputError(`\`${part}\` must not be empty.`, field);
    if (source.length > bounds[part]) {
      throw new BadUserInputError(`\`${part}\` must be at most ${bounds[part]} characters.`, field);
    }
    let used: Set<string>;
    try {
      used = checkTemplate(parseTemplate(source), fields);
    } catch (error) {
      if (error instanceof TemplateSyntaxError) {
        throw new BadUserInputError(`\`${part}\`, line ${error.line}: ${error.message}.`, field);
      }
      throw error;
    }
    if (carriesSecret && part !== "subject" && !used.has(secret.path)) {
      throw new BadUserInputError(
        `\`${part}\` must contain \`{{${secret.path.split(".").pop()}}}\`${secret.path.includes(".") ? ` (inside \`{{#${secret.path.split(".")[0]}}}\`)` : ""}: the message exists to carry it.`,
        field,
      );
    }
    if (carriesSecret && part === "subject" && used.has(secret.path)) {
      throw new BadUserInputError("The subject must not contain the secret.", field);
    }
  }
  return sources;
}
