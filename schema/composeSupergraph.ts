import { readFileSync } from "node:fs";
import path from "node:path";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { defaultPorts, serviceNames } from "../subgraphs/common/serviceNames";

export const schemaDir = __dirname;
export const supergraphPath = path.join(schemaDir, "supergraph.graphql");

/** The SDL of one subgraph, as committed in `schema/<name>.graphql`. */
export function readSubgraphSdl(name: string): string {
  return readFileSync(path.join(schemaDir, `${name}.graphql`), "utf8");
}

export type CompositionOutcome = { ok: true; supergraphSdl: string; hints: string[] } | { ok: false; errors: string[] };

/**
 * Composes the six subgraph SDLs into the supergraph. The routing URLs written into the
 * supergraph are the local defaults; the router replaces them with its configured URLs.
 */
export function composeSupergraph(): CompositionOutcome {
  const result = composeServices(
    serviceNames.map((name) => ({
      name,
      url: `http://localhost:${defaultPorts[name]}/graphql`,
      typeDefs: parse(readSubgraphSdl(name)),
    })),
  );
  if (result.errors) return { ok: false, errors: result.errors.map((error) => error.message) };
  return {
    ok: true,
    supergraphSdl: `${result.supergraphSdl.trim()}\n`,
    hints: result.hints.map((hint) => hint.toString()),
  };
}
