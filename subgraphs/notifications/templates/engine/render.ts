import type { TemplateNode } from "./parse";

/** The values a message is rendered with: text, numbers, flags, nested objects and lists of objects. */
export type TemplateValue = string | number | boolean | null | undefined | TemplateScope | TemplateScope[];
export interface TemplateScope {
  [name: string]: TemplateValue;
}

/** Finds a dotted name in the innermost scope that has its first part, as Mustache does. Own properties only. */
function lookup(scopes: readonly TemplateScope[], name: string): TemplateValue {
  const [first, ...rest] = name.split(".");
  for (let index = scopes.length - 1; index >= 0; index -= 1) {
    const scope = scopes[index]!;
    if (!Object.hasOwn(scope, first!)) continue;
    let value: TemplateValue = scope[first!];
    for (const part of rest) {
      if (value === null || typeof value !== "object" || Array.isArray(value) || !Object.hasOwn(value, part)) {
        return undefined;
      }
      value = value[part];
    }
    return value;
  }
  return undefined;
}

function isPresent(value: TemplateValue): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && value !== undefined && value !== false && value !== "";
}

function renderNodes(
  nodes: readonly TemplateNode[],
  scopes: TemplateScope[],
  escape: (text: string) => string,
): string {
  let out = "";
  for (const node of nodes) {
    if (node.type === "text") {
      out += node.value;
    } else if (node.type === "variable") {
      const value = lookup(scopes, node.name);
      if (value !== null && value !== undefined && typeof value !== "object") out += escape(String(value));
    } else {
      const value = lookup(scopes, node.name);
      if (node.inverted) {
        if (!isPresent(value)) out += renderNodes(node.children, scopes, escape);
      } else if (Array.isArray(value)) {
        for (const item of value) out += renderNodes(node.children, [...scopes, item], escape);
      } else if (isPresent(value)) {
        const inner = typeof value === "object" && value !== null ? [...scopes, value] : scopes;
        out += renderNodes(node.children, inner, escape);
      }
    }
  }
  return out;
}

/** Renders a parsed template; `escape` is applied to every value (HTML escaping for HTML, none for text). */
export function renderTemplate(
  nodes: readonly TemplateNode[],
  values: TemplateScope,
  escape: (text: string) => string = (text) => text,
): string {
  return renderNodes(nodes, [values], escape);
}
