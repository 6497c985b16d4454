import { readFileSync } from "node:fs";
import { Supergraph } from "@apollo/federation-internals";
import type { GraphQLSchema } from "graphql";
import { supergraphFile } from "../subgraphs/common/schemaFiles";

/**
 * The schema clients see: the supergraph without federation's internals (join__, link__,
 * inaccessible elements). Contract checks validate operations against it, as the router does.
 */
export function loadApiSchema(sdl: string = readFileSync(supergraphFile, "utf8")): GraphQLSchema {
  return Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
}
