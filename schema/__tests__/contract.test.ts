import { parse, validate } from "graphql";
import { loadApiSchema } from "../apiSchema";
import { checkContract, contractExists } from "../contract";

const describeContract = contractExists() ? describe : describe.skip;

describeContract("the client contract (../shared/contract/operations.graphql)", () => {
  const checks = checkContract(loadApiSchema());

  it("is read in full: every operation is checked", () => {
    expect(checks.length).toBeGreaterThanOrEqual(38);
  });

  it.each(checks.map((check) => [check.name, check] as const))("%s validates against the supergraph", (_name, check) => {
    expect(check.errors).toEqual([]);
  });

  it("would catch an operation that asks for what the supergraph lacks", () => {
    const errors = validate(loadApiSchema(), parse('query { product(id: "x") { id priceInBitcoin } }'));
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining("priceInBitcoin")]);
    expect(checkContract(loadApiSchema(), "subscription Nothing { nothing }")[0]?.errors).not.toEqual([]);
  });
});
