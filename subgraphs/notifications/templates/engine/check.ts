import { TemplateSyntaxError, type TemplateNode } from "./parse";

/** What a value given to a template is, for checking templates before they are saved. */
export type VariableSpec =
  | { kind: "text"; description: string }
  | { kind: "object"; description: string; fields: VariableFields }
  | { kind: "list"; description: string; item: VariableFields };
export type VariableFields = Readonly<Record<string, VariableSpec>>;

interface Scope {
  fields: VariableFields;
  /** The full path of the object or list item this scope is, with a trailing dot; "" at the top. */
  prefix: string;
}

function resolve(scopes: readonly Scope[], name: string, line: number): { spec: VariableSpec; path: string } {
  const [first, ...rest] = name.split(".");
  for (let index = scopes.length - 1; index >= 0; index -= 1) {
    const scope = scopes[index]!;
    if (!Object.hasOwn(scope.fields, first!)) continue;
    let spec = scope.fields[first!]!;
    let path = `${scope.prefix}${first}`;
    for (const part of rest) {
      if (spec.kind !== "object" || !Object.hasOwn(spec.fields, part)) {
        throw new TemplateSyntaxError(`\`${name}\` is not a value this message has`, line);
      }
      spec = spec.fields[part]!;
      path = `${path}.${part}`;
    }
    return { spec, path };
  }
  throw new TemplateSyntaxError(`\`${name}\` is not a value this message has`, line);
}

function checkNodes(nodes: readonly TemplateNode[], scopes: Scope[], used: Set<string>): void {
  for (const node of nodes) {
    if (node.type === "text") continue;
    const { spec, path } = resolve(scopes, node.name, node.line);
    used.add(path);
    if (node.type === "variable") {
      if (spec.kind !== "text") {
        throw new TemplateSyntaxError(
          `\`{{${node.name}}}\` is ${spec.kind === "list" ? "a list" : "a group of values"}: use \`{{#${node.name}}}…{{/${node.name}}}\``,
          node.line,
        );
      }
      continue;
    }
    const inner =
      node.inverted || spec.kind === "text"
        ? scopes
        : [...scopes, { fields: spec.kind === "list" ? spec.item : spec.fields, prefix: `${path}.` }];
    checkNodes(node.children, inner, used);
  }
}

/**
 * Checks a parsed template against the values its message has: every name must be one of them
 * (in the scope of the sections around it), a value is printed only when it is text, and lists
 * and groups are opened by sections. Returns the full paths of the values used.
 */
export function checkTemplate(nodes: readonly TemplateNode[], fields: VariableFields): Set<string> {
  const used = new Set<string>();
  checkNodes(nodes, [{ fields, prefix: "" }], used);
  return used;
}

/** Every value of a message, flattened to dotted paths, for the back office's editor. */
export function describeVariables(
  fields: VariableFields,
  prefix = "",
): Array<{ name: string; description: string; list: boolean }> {
  return Object.entries(fields).flatMap(([name, spec]) => {
    const path = `${prefix}${name}`;
    const own = { name: path, description: spec.description, list: spec.kind === "list" };
    if (spec.kind === "text") return [own];
    return [own, ...describeVariables(spec.kind === "list" ? spec.item : spec.fields, `${path}.`)];
  });
}
