import { ErrorCode } from "../../../subgraphs/common/errors";
import { placeOrderInput } from "../../support/checkout";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";
import { CatalogBuilder } from "../../support/catalogBuilder";

const setupMutation = `mutation { paymentMethodSetupCreate { clientSecret provider } }`;
const methodsQuery = `query($first: Int, $after: String) {
  me { paymentMethods(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id last4 } } } }
}`;

/**
 * Saved cards' limits and checks, with the simulated provider (the paths through each provider
 * are in providers.test.ts): who may save, list and remove them, how many, how often, pages of
 * them, placeOrder's choice between a token and a saved card, and the webhook endpoint.
 */
describe("saved payment methods", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"]);
    url = services.router.url;
    admin = await loginAdmin(url);
  });

  afterAll(() => services?.cleanUp());

  /** Saves a card for a customer through the provider's setup, and waits for it to be listed. */
  async function saveCard(session: Session, token = "tok_visa"): Promise<void> {
    const { paymentMethodSetupCreate } = await graphqlData(url, setupMutation, { token: session.accessToken });
    const before = await countOf(session);
    const secret: string = paymentMethodSetupCreate.clientSecret;
    await services.payments.provider.completeSetup(secret.slice(0, secret.indexOf("_secret_")), token);
    await waitFor(async () => (await countOf(session)) === before + 1, "the card to be saved");
  }
  const countOf = async (session: Session): Promise<number> =>
    (await graphqlData(url, methodsQuery, { token: session.accessToken })).me.paymentMethods.totalCount;

  it("asks the caller to sign in to save, list or remove cards", async () => {
    expect((await graphql(url, setupMutation)).errors?.[0]?.extensions?.code).toBe(ErrorCode.UNAUTHENTICATED);
    const removal = await graphql(
      url,
      `
        mutation {
          paymentMethodRemove(id: "00000000-0000-4000-8000-000000000000")
        }
      `,
    );
    expect(removal.errors?.[0]?.extensions?.code).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it("lists a customer's cards newest first in pages, to them and to admins only", async () => {
    const customer = await registerCustomer(url);
    await saveCard(customer, "tok_visa");
    await saveCard(customer, "tok_mastercard");
    await saveCard(customer, "tok_visa");
    const first = (await graphqlData(url, methodsQuery, { token: customer.accessToken, variables: { first: 2 } })).me
      .paymentMethods;
    expect(first.totalCount).toBe(3);
    expect(first.edges.map((edge: { node: { last4: string } }) => edge.node.last4)).toEqual(["4242", "4444"]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (
      await graphqlData(url, methodsQuery, {
        token: customer.accessToken,
        variables: { first: 2, after: first.pageInfo.endCursor },
      })
    ).me.paymentMethods;
    expect(rest.edges.map((edge: { node: { last4: string } }) => edge.node.last4)).toEqual(["4242"]);
    expect(rest.pageInfo.hasNextPage).toBe(false);

    const tooMany = await graphql(url, methodsQuery, { token: customer.accessToken, variables: { first: 101 } });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, field: "first" });

    const byAdmin = await graphqlData(url, `query($id: ID!) { user(id: $id) { paymentMethods { totalCount } } }`, {
      token: admin.accessToken,
      variables: { id: customer.user.id },
    });
    expect(byAdmin.user.paymentMethods.totalCount).toBe(3);
    // Only the provider's reference and the card's description are kept.
    const stored = await services.payments.runtime.db.savedPaymentMethod.findMany({
      where: { customerId: customer.user.id },
    });
    expect(Object.keys(stored[0]!).sort()).toEqual(
      ["brand", "createdAt", "customerId", "expiryMonth", "expiryYear", "id", "last4", "provider", "reference"].sort(),
    );
  });

  it("limits how many card setups a customer starts in an hour (RATE_LIMITED, with when to retry)", async () => {
    const customer = await registerCustomer(url);
    for (let setup = 0; setup < 10; setup += 1) await graphqlData(url, setupMutation, { token: customer.accessToken });
    const limited = await graphql(url, setupMutation, { token: customer.accessToken });
    expect(limited.errors?.[0]?.extensions).toMatchObject({
      code: ErrorCode.RATE_LIMITED,
      retryAfter: expect.any(Number),
    });
    expect(limited.errors![0]!.extensions!.retryAfter).toBeGreaterThan(3_000);
    expect(limited.errors![0]!.extensions!.retryAfter).toBeLessThanOrEqual(3_600);
  });

  it("keeps at most 10 cards a customer (CONFLICT beyond)", async () => {
    const customer = await registerCustomer(url);
    const db = services.payments.runtime.db;
    await db.savedPaymentMethod.createMany({
      data: Array.from({ length: 10 }, (_, index) => ({
        customerId: customer.user.id,
        provider: "simulated",
        reference: `pm_sim_0000000${index}_tok_visa`,
        brand: "visa",
        last4: "4242",
        expiryMonth: 12,
        expiryYear: 2040,
      })),
    });
    const refused = await graphql(url, setupMutation, { token: customer.accessToken });
    expect(refused.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/at most 10 cards/),
      extensions: { code: ErrorCode.CONFLICT },
    });
  });

  it("takes exactly one of paymentToken and paymentMethodId at checkout", async () => {
    const customer = await registerCustomer(url);
    const product = await new CatalogBuilder(url, admin.accessToken).product({
      name: "Choice",
      price: "5.00",
      stock: 1,
    });
    const placeWith = (extra: Record<string, unknown>) =>
      graphql(
        url,
        `
          mutation ($input: PlaceOrderInput!) {
            placeOrder(input: $input) {
              id
            }
          }
        `,
        {
          token: customer.accessToken,
          variables: { input: { ...placeOrderInput([{ productId: product.id, quantity: 1 }]), ...extra } },
        },
      );
    const both = await placeWith({ paymentMethodId: "00000000-0000-4000-8000-000000000000" });
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, field: "paymentToken" });
    const neither = await placeWith({ paymentToken: null });
    expect(neither.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, field: "paymentToken" });
    const malformed = await placeWith({ paymentToken: null, paymentMethodId: "card-1" });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({
      code: ErrorCode.BAD_USER_INPUT,
      field: "paymentMethodId",
    });
  });

  it("answers 404 on the webhook endpoint of a provider not configured here, and 400 to an unsigned notification", async () => {
    const webhook = (provider: string, headers: Record<string, string> = {}) =>
      fetch(new URL(`/webhooks/${provider}`, services.payments.url), {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ id: "evt_1", type: "payment_intent.succeeded" }),
      });
    expect((await webhook("stripe")).status).toBe(404);
    expect((await webhook("paypal")).status).toBe(404);
    expect((await webhook("simulated")).status).toBe(400);
    expect((await webhook("simulated", { "simulated-signature": "t=1,v1=00" })).status).toBe(400);
  });
});
