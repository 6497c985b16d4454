import { readFileSync } from "node:fs";
import { parse, validate } from "graphql";
import { loadApiSchema } from "../apiSchema";
import { checkContract, contractPath, sharedContractExists, sharedContractPath } from "../contract";

describe("the client contract (schema/contract/operations.graphql)", () => {
  const checks = checkContract(loadApiSchema());

  // The copy is what every clone checks; where the shared original is beside the project, the two must agree.
  (sharedContractExists() ? it : it.skip)("is the same as ../shared/contract/operations.graphql", () => {
    expect(readFileSync(contractPath, "utf8")).toBe(readFileSync(sharedContractPath, "utf8"));
  });

  it("is read in full: every operation is checked", () => {
    expect(checks.length).toBeGreaterThanOrEqual(38);
  });

  it.each(checks.map((check) => [check.name, check] as const))(
    "%s validates against the supergraph",
    (_name, check) => {
      expect(check.errors).toEqual([]);
    },
  );

  it("would catch an operation that asks for what the supergraph lacks", () => {
    const errors = validate(loadApiSchema(), parse('query { product(id: "x") { id priceInBitcoin } }'));
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining("priceInBitcoin")]);
    expect(checkContract(loadApiSchema(), "subscription Nothing { nothing }")[0]?.errors).not.toEqual([]);
  });
});
