import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, type DocumentNode } from "graphql";
import { projectRoot } from "./projectRoot";
import type { ServiceName } from "./serviceNames";

/** The subgraph's SDL from `schema/<service>.graphql`, the API's source of truth. */
export function loadSubgraphTypeDefs(service: ServiceName): DocumentNode {
  return parse(readFileSync(path.join(projectRoot, "schema", `${service}.graphql`), "utf8"));
}

export const supergraphFile = path.join(projectRoot, "schema", "supergraph.graphql");
