import { readFileSync } from "node:fs";
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isIntrospectionType,
  isSpecifiedScalarType,
} from "graphql";
import { loadApiSchema } from "../apiSchema";
import { composeSupergraph, supergraphPath } from "../composeSupergraph";

describe("the supergraph", () => {
  const outcome = composeSupergraph();

  it("composes without errors", () => {
    expect(outcome.ok ? [] : outcome.errors).toEqual([]);
  });

  it("is committed as composed from schema/*.graphql (run `npm run compose` after changing a subgraph)", () => {
    if (!outcome.ok) throw new Error("composition failed");
    expect(readFileSync(supergraphPath, "utf8")).toBe(outcome.supergraphSdl);
  });

  it("gives shared types and fields one description in every subgraph", () => {
    if (!outcome.ok) throw new Error("composition failed");
    expect(outcome.hints.filter((hint) => hint.includes("INCONSISTENT_DESCRIPTION"))).toEqual([]);
  });

  it("documents every type, field, argument and enum value for Sandbox", () => {
    const schema = loadApiSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of "args" in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
