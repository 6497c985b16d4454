import {
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/** The variable that carries the watched order's id into the query the router builds. */
export const orderIdVariable = "_routerOrderId";
/** A field the router adds to learn each order's status, and removes before answering. */
export const statusProbe = "_routerStatus";

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;

/**
 * Turns a subscription to an order (`subscription ($x: T) { orderStatusChanged(orderId: ...) {
 * <selection> } }`) into the query that resolves its selection through the gateway:
 * `query ($x: T, $_routerOrderId: ID!) { <response key>: order(id: $_routerOrderId) {
 * <selection> _routerStatus: status } }`, with the same fragments, so fields of every subgraph
 * can be selected and each subgraph authorizes them as for any query.
 */
export function orderQueryFor(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  root: FieldNode,
): DocumentNode {
  const fragments = document.definitions.filter(
    (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
  );
  // Only the variables the selection uses: the subscription's own argument (`orderId`) is not.
  const used = new Set<string>();
  for (const node of [root.selectionSet, ...fragments]) {
    if (node) visit(node, { Variable: (variable) => void used.add(variable.name.value) });
  }
  const selectionSet: SelectionSetNode = {
    kind: Kind.SELECTION_SET,
    selections: [
      ...(root.selectionSet?.selections ?? []),
      { kind: Kind.FIELD, alias: name(statusProbe), name: name("status") },
    ],
  };
  const query: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: "query" as OperationDefinitionNode["operation"],
    name: name("RouterSubscriptionPayload"),
    variableDefinitions: [
      ...(operation.variableDefinitions ?? []).filter((definition) => used.has(definition.variable.name.value)),
      {
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: name(orderIdVariable) },
        type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: name("ID") } },
      },
    ],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [
        {
          kind: Kind.FIELD,
          alias: name(responseKey(root)),
          name: name("order"),
          arguments: [
            { kind: Kind.ARGUMENT, name: name("id"), value: { kind: Kind.VARIABLE, name: name(orderIdVariable) } },
          ],
          selectionSet,
        },
      ],
    },
  };
  return { kind: Kind.DOCUMENT, definitions: [query, ...fragments] };
}

export function responseKey(field: FieldNode): string {
  return field.alias?.value ?? field.name.value;
}

/**
 * The order as one message carries it: without the router's probe, and with `status` and
 * `cancellationReason` (under whatever alias the client chose) as they were at the change.
 */
export function messageOrder(
  order: Record<string, unknown>,
  root: FieldNode,
  change?: { status: string; cancellationReason: string | null },
): Record<string, unknown> {
  const { [statusProbe]: _probe, ...visible } = order;
  if (!change) return visible;
  for (const selection of root.selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FIELD) continue;
    if (selection.name.value === "status") visible[responseKey(selection)] = change.status;
    if (selection.name.value === "cancellationReason") visible[responseKey(selection)] = change.cancellationReason;
  }
  return visible;
}
