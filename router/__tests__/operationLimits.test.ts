import { readFileSync } from "node:fs";
import { Kind, parse, validate, type DefinitionNode, type GraphQLSchema } from "graphql";
import { contractPath } from "../../schema/contract";
import { loadApiSchema } from "../../schema/apiSchema";
import { supergraphFile } from "../../subgraphs/common/schemaFiles";
import { routerEnvironment } from "../environment";
import { mutationLimits } from "../limits/mutationLimits";
import { costLimit, depthLimit } from "../limits/operationLimits";

const defaults = routerEnvironment.parse({});
const rules = [
  depthLimit(defaults.MAX_QUERY_DEPTH),
  costLimit(defaults.MAX_QUERY_COST),
  mutationLimits({ maxRootFields: defaults.MAX_ROOT_MUTATIONS, maxExpensive: defaults.MAX_EXPENSIVE_MUTATIONS }),
];

describe("the router's operation limits", () => {
  let schema: GraphQLSchema;
  beforeAll(() => {
    schema = loadApiSchema(readFileSync(supergraphFile, "utf8"));
  });

  /** The limit errors of `source` under the default settings. */
  const limitErrors = (source: string) =>
    validate(schema, parse(source), rules).map((error) => error.extensions as Record<string, unknown>);

  it("let every operation of the client contract through at their defaults", () => {
    const document = parse(readFileSync(contractPath, "utf8"));
    const fragments = document.definitions.filter((each) => each.kind === Kind.FRAGMENT_DEFINITION);
    const refused = document.definitions
      .filter(
        (each): each is Extract<DefinitionNode, { kind: Kind.OPERATION_DEFINITION }> =>
          each.kind === Kind.OPERATION_DEFINITION,
      )
      .flatMap((operation) =>
        validate(schema, { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }, rules).map(
          (error) => `${operation.name?.value}: ${error.message}`,
        ),
      );
    expect(refused).toEqual([]);
  });

  it("count a list without `first` at its real maximum, not as one item", () => {
    // categories and children: nothing bounds them, so each counts as the largest page (100).
    expect(limitErrors("{ categories { id children { id } } }")).toEqual([
      expect.objectContaining({ limit: "cost", actual: 1 + 100 * (1 + 1 + 100 * 1) }),
    ]);
    // 100 products of 20 images each, 50 attributes each: the lists count in full.
    const page = `{ products(first: 100) { edges { node { images { url alt } attributes { name value } } } } }`;
    expect(limitErrors(page)).toEqual([
      expect.objectContaining({ limit: "cost", actual: 1 + 1 + 100 * (1 + 1 + 20 * 2 + 1 + 50 * 2) }),
    ]);
    // An order holds at most 50 lines; an enum list at most its values.
    const order = limitErrors(`query ($id: ID!) { order(id: $id) { items { productId } customer { roles } } }`);
    expect(order).toEqual([]);
  });

  it("count a connection's page once, on its edges, and its other fields (facets, totalCount) once", () => {
    const facets = `{ products(first: 100) { totalCount facets { name values { value count } } edges { node { id } } } }`;
    const cost = 1 + 1 + (1 + 30 * (1 + 1 + 50 * 2)) + (1 + 100 * (1 + 1));
    expect(cost).toBeLessThan(defaults.MAX_QUERY_COST);
    expect(validate(schema, parse(facets), [costLimit(cost - 1)])[0]?.extensions).toMatchObject({ actual: cost });
  });

  it("do not count a connection's edges twice: its `first` is the page", () => {
    expect(limitErrors("{ products(first: 40) { edges { node { id name } } } }")).toEqual([]);
    expect(limitErrors("{ products(first: 100) { edges { cursor node { id name sku slug } } } }")).toEqual([]);
  });

  it("weigh every expensive mutation of the list, aliases and fragments included", () => {
    const twoLogins = `mutation { a: login(input: { email: "a@x.example", password: "p" }) { accessToken } ...More }
      fragment More on Mutation { b: login(input: { email: "b@x.example", password: "p" }) { accessToken } }`;
    expect(limitErrors(twoLogins)).toEqual([]);
    const three = twoLogins.replace(
      "...More }",
      `...More ... on Mutation { requestPasswordReset(email: "c@x.example") } }`,
    );
    expect(limitErrors(three)).toEqual([
      expect.objectContaining({
        code: "GRAPHQL_VALIDATION_FAILED",
        limit: "expensiveMutations",
        maximum: 2,
        actual: 3,
      }),
    ]);
  });
});
