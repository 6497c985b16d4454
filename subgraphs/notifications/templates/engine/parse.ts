/**
 * The template language of editable notifications: a small, logic-less subset of Mustache.
 *
 *   {{name}}              a value (escaped for HTML in an email's HTML)
 *   {{#name}}…{{/name}}   repeated for each item of a list, or shown once when the value is present
 *   {{^name}}…{{/name}}   shown when the value is absent, false or an empty list
 *   {{! a comment }}      left out
 *
 * Names are dotted paths (`order.number`). Nothing else is a tag: raw output (`{{{…}}}`,
 * `{{&…}}`), partials and delimiter changes are refused, so a template cannot insert unescaped
 * HTML or reach anything but the values its kind of message is given.
 */

export type TemplateNode =
  | { type: "text"; value: string }
  | { type: "variable"; name: string; line: number }
  | { type: "section"; name: string; inverted: boolean; line: number; children: TemplateNode[] };

/** A template that does not parse; `line` is 1-based. */
export class TemplateSyntaxError extends Error {
  override name = "TemplateSyntaxError";
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const namePattern = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

interface OpenSection {
  node: Extract<TemplateNode, { type: "section" }>;
  parent: TemplateNode[];
}

export function parseTemplate(source: string): TemplateNode[] {
  const root: TemplateNode[] = [];
  const open: OpenSection[] = [];
  let children = root;
  let position = 0;
  const lineAt = (index: number) => source.slice(0, index).split("\n").length;
  while (position < source.length) {
    const start = source.indexOf("{{", position);
    if (start < 0) {
      children.push({ type: "text", value: source.slice(position) });
      break;
    }
    if (start > position) children.push({ type: "text", value: source.slice(position, start) });
    const line = lineAt(start);
    const end = source.indexOf("}}", start + 2);
    if (end < 0) throw new TemplateSyntaxError("`{{` is never closed by `}}`", line);
    const tag = source.slice(start + 2, end);
    position = end + 2;
    const sigil = tag.trimStart()[0];
    if (sigil === "!") continue;
    if (sigil === "{" || sigil === "&") {
      throw new TemplateSyntaxError("raw output (`{{{…}}}`, `{{&…}}`) is not allowed: every value is escaped", line);
    }
    if (sigil === ">" || sigil === "=") {
      throw new TemplateSyntaxError(`\`{{${tag}}}\`: partials and delimiter changes are not supported`, line);
    }
    const isSection = sigil === "#" || sigil === "^" || sigil === "/";
    const name = (isSection ? tag.trimStart().slice(1) : tag).trim();
    if (!namePattern.test(name)) throw new TemplateSyntaxError(`\`{{${tag}}}\` does not name a value`, line);
    if (sigil === "/") {
      const closing = open.pop();
      if (!closing) throw new TemplateSyntaxError(`\`{{/${name}}}\` closes no section`, line);
      if (closing.node.name !== name) {
        throw new TemplateSyntaxError(
          `\`{{/${name}}}\` does not close \`{{${closing.node.inverted ? "^" : "#"}${closing.node.name}}}\` (line ${closing.node.line})`,
          line,
        );
      }
      children = closing.parent;
    } else if (isSection) {
      const node: OpenSection["node"] = { type: "section", name, inverted: sigil === "^", line, children: [] };
      children.push(node);
      open.push({ node, parent: children });
      children = node.children;
    } else {
      children.push({ type: "variable", name, line });
    }
  }
  const unclosed = open.pop();
  if (unclosed) {
    throw new TemplateSyntaxError(
      `\`{{${unclosed.node.inverted ? "^" : "#"}${unclosed.node.name}}}\` is never closed`,
      unclosed.node.line,
    );
  }
  return root;
}
