import { readFileSync } from "node:fs";
import { parse, validate } from "graphql";
import { loadApiSchema } from "../apiSchema";
import {
  checkContract,
  contractPath,
  operationsNotKeptIn,
  sharedContractExists,
  sharedContractPath,
} from "../contract";

describe("the client contract (schema/contract/operations.graphql)", () => {
  const checks = checkContract(loadApiSchema());

  // The copy is what every clone checks; where the shared original is beside the project, the copy keeps all of it.
  (sharedContractExists() ? it : it.skip)(
    "keeps every operation of ../shared/contract/operations.graphql unchanged",
    () => {
      expect(operationsNotKeptIn(readFileSync(contractPath, "utf8"), readFileSync(sharedContractPath, "utf8"))).toEqual(
        [],
      );
    },
  );

  it("would notice an operation dropped or changed in the copy", () => {
    const original = "query A { me { id } } query B { me { id email } }";
    expect(operationsNotKeptIn("query A { me { id } }  query C { me { name } }", original)).toEqual(["B"]);
    expect(operationsNotKeptIn("query A { me { id } } query B { me { id } }", original)).toEqual(["B"]);
    expect(
      operationsNotKeptIn(`query A {\n  me { id }\n} query B { me { id email } } query C { me { name } }`, original),
    ).toEqual([]);
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
