import {
  GraphQLError,
  Kind,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ASTVisitor,
} from "graphql";
import { ErrorCode } from "../../subgraphs/common/errors";
import { maxPageSize } from "../../subgraphs/common/pagination";
import { listMaximum } from "./listSizes";

/** A limit an operation went over, told to the client: which limit, its maximum, and by how much. */
function overLimit(limit: "depth" | "cost", maximum: number, actual: number): GraphQLError {
  return new GraphQLError(
    `The operation's ${limit} is ${actual}, over the limit of ${maximum} by ${actual - maximum}.`,
    {
      extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, limit, maximum, actual },
    },
  );
}

type Fragments = Record<string, FragmentDefinitionNode>;

function depthOf(selectionSet: SelectionSetNode | undefined, fragments: Fragments, visiting: Set<string>): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith("__")) continue;
      deepest = Math.max(
        deepest,
        selection.selectionSet ? 1 + depthOf(selection.selectionSet, fragments, visiting) : 1,
      );
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, visiting));
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      // A fragment cycle is reported by graphql-js itself; here it only must not loop.
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      deepest = Math.max(deepest, depthOf(fragment.selectionSet, fragments, visiting));
      visiting.delete(name);
    }
  }
  return deepest;
}

/** Rejects operations nested deeper than `maximum` fields. */
export function depthLimit(maximum: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments: Fragments = Object.fromEntries(
      context
        .getDocument()
        .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, fragments, new Set());
        if (depth > maximum) context.reportError(overLimit("depth", maximum, depth));
      },
    };
  };
}

/**
 * The page size a list field may return: its `first` argument (a variable counts as the largest
 * page), or its default. A literal over the largest page counts as the largest page: no page is
 * ever bigger, and the subgraph answers it with BAD_USER_INPUT on `first`, which tells the client
 * more than a cost over the limit would.
 */
function pageFactor(field: FieldNode, definition: GraphQLField<unknown, unknown> | undefined, maxPage: number): number {
  const argument = field.arguments?.find((each) => each.name.value === "first");
  if (argument)
    return argument.value.kind === Kind.INT ? Math.min(maxPage, Math.max(1, Number(argument.value.value))) : maxPage;
  const fallback = definition?.args.find((each) => each.name === "first")?.defaultValue;
  return typeof fallback === "number" ? fallback : 1;
}

/** What walking one operation needs: the schema, its fragments, the largest page. */
interface CostWalk {
  schema: GraphQLSchema;
  fragments: Fragments;
  maxPage: number;
  visiting: Set<string>;
}

function isPaginated(field: FieldNode, definition: GraphQLField<unknown, unknown> | undefined): boolean {
  return !!(
    field.arguments?.some((each) => each.name.value === "first") ||
    definition?.args.some((each) => each.name === "first")
  );
}

/** A Relay connection: its page is its `edges` (or `nodes`); its other fields are there once. */
function isConnection(type: GraphQLOutputType | undefined): boolean {
  const named = type ? getNamedType(type) : undefined;
  return !!named && isObjectType(named) && named.name.endsWith("Connection") && "edges" in named.getFields();
}

/**
 * What a selection set may resolve. `connectionPage` is set when the set is a paginated
 * connection's: its `edges` and `nodes` count once per item of the page, the rest (totalCount,
 * pageInfo, facets) once. Any other list counts once per item of the most it can hold
 * (listSizes), a field paginated otherwise once per item of its page.
 */
function costOf(
  selectionSet: SelectionSetNode | undefined,
  parent: GraphQLOutputType | undefined,
  walk: CostWalk,
  connectionPage?: number,
): number {
  if (!selectionSet) return 0;
  const named = parent ? getNamedType(parent) : undefined;
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith("__")) continue;
      const definition =
        named && (isObjectType(named) || isInterfaceType(named)) ? named.getFields()[selection.name.value] : undefined;
      const type = definition?.type;
      if (isPaginated(selection, definition) && isConnection(type)) {
        const page = pageFactor(selection, definition, walk.maxPage);
        total += 1 + costOf(selection.selectionSet, type, walk, page);
        continue;
      }
      let multiplier = 1;
      if (connectionPage !== undefined && (selection.name.value === "edges" || selection.name.value === "nodes"))
        multiplier = connectionPage;
      else if (isPaginated(selection, definition)) multiplier = pageFactor(selection, definition, walk.maxPage);
      else {
        let unwrapped = type;
        while (unwrapped && isNonNullType(unwrapped)) unwrapped = unwrapped.ofType;
        if (definition && unwrapped && isListType(unwrapped)) multiplier = listMaximum(named, definition, walk.maxPage);
      }
      total += 1 + multiplier * costOf(selection.selectionSet, type, walk);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : named;
      total += costOf(selection.selectionSet, (condition as GraphQLOutputType) ?? parent, walk, connectionPage);
    } else {
      const fragment = walk.fragments[selection.name.value];
      if (!fragment || walk.visiting.has(fragment.name.value)) continue;
      walk.visiting.add(fragment.name.value);
      total += costOf(
        fragment.selectionSet,
        walk.schema.getType(fragment.typeCondition.name.value) as GraphQLOutputType,
        walk,
        connectionPage,
      );
      walk.visiting.delete(fragment.name.value);
    }
  }
  return total;
}

/**
 * Rejects operations that could resolve more than `maximum` fields: each field costs 1, what is
 * under a connection's edges once per item of the largest page it may return, what is under any
 * other list once per item of the most it can hold (listSizes).
 */
export function costLimit(maximum: number, maxPage = maxPageSize) {
  return (context: ValidationContext): ASTVisitor => {
    const schema = context.getSchema();
    const fragments: Fragments = Object.fromEntries(
      context
        .getDocument()
        .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    return {
      OperationDefinition(operation) {
        const root = schema.getRootType(operation.operation) ?? undefined;
        const cost = costOf(operation.selectionSet, root, { schema, fragments, maxPage, visiting: new Set() });
        if (cost > maximum) context.reportError(overLimit("cost", maximum, cost));
      },
    };
  };
}
