import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse, print, validate, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { projectRoot } from "../subgraphs/common/projectRoot";

/**
 * The client contract as the project keeps it (`schema/contract/operations.graphql`): every
 * operation of `../shared/contract/operations.graphql`, unchanged, so that the check runs wherever
 * the project is cloned, followed by the operations of the capabilities added since.
 */
export const contractPath = path.resolve(projectRoot, "schema", "contract", "operations.graphql");

/** The contract where its owners keep it, beside the project; not there in every checkout. */
export const sharedContractPath = path.resolve(projectRoot, "..", "shared", "contract", "operations.graphql");

export interface OperationCheck {
  name: string;
  kind: OperationDefinitionNode["operation"];
  errors: string[];
}

/** Validates each operation of the contract on its own (with the fragments it uses) against `schema`. */
export function checkContract(
  schema: GraphQLSchema,
  source: string = readFileSync(contractPath, "utf8"),
): OperationCheck[] {
  const document = parse(source);
  const fragments = document.definitions.filter((definition) => definition.kind === "FragmentDefinition");
  return document.definitions
    .filter((definition): definition is OperationDefinitionNode => definition.kind === "OperationDefinition")
    .map((operation) => ({
      name: operation.name?.value ?? "(anonymous)",
      kind: operation.operation,
      errors: [
        // graphql-js skips field checks under a root type the schema lacks, so say it here.
        ...(schema.getRootType(operation.operation) ? [] : [`The schema has no ${operation.operation} root type.`]),
        ...validate(schema, { kind: document.kind, definitions: [operation, ...fragments] }).map(
          (error) => error.message,
        ),
      ],
    }));
}

/** Whether the shared contract is beside the project, to compare the project's copy with. */
export function sharedContractExists(): boolean {
  return existsSync(sharedContractPath);
}

/**
 * The operations of `original` that `copy` lacks or changed (compared as printed, so layout and
 * comments do not count). Clients depend on each of them: the copy may add, never drop or alter.
 */
export function operationsNotKeptIn(copy: string, original: string): string[] {
  const printed = (source: string) =>
    new Map(
      parse(source)
        .definitions.filter(
          (definition): definition is OperationDefinitionNode => definition.kind === "OperationDefinition",
        )
        .map((operation) => [operation.name?.value ?? "(anonymous)", print(operation)]),
    );
  const kept = printed(copy);
  return [...printed(original)].filter(([name, text]) => kept.get(name) !== text).map(([name]) => name);
}
