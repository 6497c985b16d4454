import { readFileSync } from "node:fs";
import { parse, validate, type OperationDefinitionNode } from "graphql";
import { loadApiSchema } from "../../schema/apiSchema";
import { contractPath } from "../../schema/contract";
import { routerEnvironment } from "../environment";
import { costLimit, depthLimit } from "../limits/operationLimits";

/** The router's limits as it starts without settings. */
const maxDepth = routerEnvironment.shape.MAX_QUERY_DEPTH.parse(undefined);
const maxCost = routerEnvironment.shape.MAX_QUERY_COST.parse(undefined);

describe("the client contract within the router's default limits", () => {
  const schema = loadApiSchema();
  const document = parse(readFileSync(contractPath, "utf8"));
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === "OperationDefinition",
  );

  it.each(operations.map((operation) => [operation.name?.value ?? "(anonymous)", operation] as const))(
    "%s is neither too deep nor too costly",
    (_name, operation) => {
      const errors = validate(schema, { kind: document.kind, definitions: [operation] }, [
        depthLimit(maxDepth),
        costLimit(maxCost),
      ]);
      expect(errors.map((error) => error.message)).toEqual([]);
    },
  );
});
