import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from "graphql";
import { ErrorCode } from "../../subgraphs/common/errors";
import { expensiveWeight } from "./expensiveMutations";

export interface MutationLimitSettings {
  /** Root mutation fields one operation may carry (aliases count each). */
  maxRootFields: number;
  /** Weight of expensive mutations one operation may carry (expensiveMutations). */
  maxExpensive: number;
}

type Fragments = Record<string, FragmentDefinitionNode>;

/** The root fields of a selection set by name, through fragments and inline fragments, each alias once. */
function rootFieldNames(selectionSet: SelectionSetNode, fragments: Fragments, visiting: Set<string>): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value.startsWith("__") ? [] : [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet, fragments, visiting);
    const fragment = fragments[selection.name.value];
    // A fragment cycle is reported by graphql-js itself; here it only must not loop.
    if (!fragment || visiting.has(fragment.name.value)) return [];
    visiting.add(fragment.name.value);
    const names = rootFieldNames(fragment.selectionSet, fragments, visiting);
    visiting.delete(fragment.name.value);
    return names;
  });
}

/** A limit the operation went over: what it has, the limit, by how much, and what to do instead. */
function overLimit(limit: "mutations" | "expensiveMutations", maximum: number, actual: number, has: string) {
  return new GraphQLError(
    `The operation has ${has}, over the limit of ${maximum} by ${actual - maximum}: send them in separate requests.`,
    { extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, limit, maximum, actual } },
  );
}

/**
 * Bounds what one mutation operation can make the services do: at most `maxRootFields` root
 * fields, and expensive ones (a password hash, an email, a checkout) at most `maxExpensive` by
 * weight. Without it one request could carry thousands of aliased `resetPassword`s, each a
 * 64 MiB hash. A field under @skip or @include counts: the limit is on what the text may ask.
 */
export function mutationLimits(settings: MutationLimitSettings) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments: Fragments = Object.fromEntries(
      context
        .getDocument()
        .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    return {
      OperationDefinition(operation) {
        if (operation.operation !== "mutation") return;
        const names = rootFieldNames(operation.selectionSet, fragments, new Set());
        if (names.length > settings.maxRootFields)
          context.reportError(
            overLimit("mutations", settings.maxRootFields, names.length, `${names.length} root mutation fields`),
          );
        const weight = names.reduce((sum, name) => sum + expensiveWeight(name), 0);
        if (weight > settings.maxExpensive) {
          const expensive = [...new Set(names.filter((name) => expensiveWeight(name) > 0))].join(", ");
          context.reportError(
            overLimit(
              "expensiveMutations",
              settings.maxExpensive,
              weight,
              `expensive mutations (${expensive}) of weight ${weight}`,
            ),
          );
        }
      },
    };
  };
}
