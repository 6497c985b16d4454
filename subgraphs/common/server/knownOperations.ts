import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Kind, parse } from "graphql";
import { projectRoot } from "../projectRoot";

/** The client contract: the named operations clients send (`schema/contract/operations.graphql`). */
export const contractOperationsFile = path.join(projectRoot, "schema", "contract", "operations.graphql");

/**
 * The names of the contract's operations, read once at start: the only operation names metrics
 * count under their own label. Without the file (an image built without it) every name is `other`.
 */
export function knownOperationNames(file: string = contractOperationsFile): ReadonlySet<string> {
  if (!existsSync(file)) return new Set();
  const names = parse(readFileSync(file, "utf8")).definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
  );
  return new Set(names);
}
