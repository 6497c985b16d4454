import { randomUUID } from "node:crypto";
import { ErrorCode } from "../../../subgraphs/common/errors";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { address } from "../../support/checkout";
import { graphql, graphqlData, type GraphQLResponse } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { simulatedProvider, stripeProvider, type ProviderUnderTest } from "../../support/paymentProviders";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const placeGuestOrder = `mutation PlaceGuestOrderWithAccess($input: PlaceGuestOrderInput!) {
  placeGuestOrder(input: $input) { id number status guestEmail guestAccessToken } }`;
const guestOrderPayment = `query GuestOrderPayment($number: String!, $email: String!, $accessToken: String!) {
  guestOrder(number: $number, email: $email) { id status guestAccessToken
    payment(accessToken: $accessToken) { id status failureReason nextAction { type clientSecret redirectUrl } } } }`;
const guestOrderPaymentWithoutToken = `query ($number: String!, $email: String!) {
  guestOrder(number: $number, email: $email) { id payment { id status nextAction { clientSecret } } } }`;
const orderPayment = `query ($id: ID!, $accessToken: String) {
  order(id: $id) { id payment(accessToken: $accessToken) { status nextAction { clientSecret } } } }`;

interface Placed {
  id: string;
  number: string;
  status: string;
  guestEmail: string;
  guestAccessToken: string | null;
}
interface GuestOrderPayment {
  id: string;
  status: string;
  guestAccessToken: string | null;
  payment: {
    id: string;
    status: string;
    failureReason: string | null;
    nextAction: { type: string; clientSecret: string | null; redirectUrl: string | null } | null;
  } | null;
}

/** What a guest's order access token is for: 3-D Secure as a guest. */
const failureLimit = 6;

/**
 * A guest completes 3-D Secure: `placeGuestOrder` answers the order's access token (once), which
 * opens the order's payment and its `nextAction` to whoever holds it, through the real router;
 * without it, with another order's, or as another signed-in customer, nothing of the payment is
 * read. Tokens that open nothing are limited per client. Run with each provider.
 */
describe.each([
  ["simulated", simulatedProvider],
  ["stripe", stripeProvider],
])(
  "a guest's 3-D Secure with the %s provider",
  (_name, makeProvider: () => ProviderUnderTest | Promise<ProviderUnderTest>) => {
    let provider: ProviderUnderTest;
    let services: TestServices<"products" | "inventory" | "orders" | "payments">;
    let url: string;
    let admin: Session;
    let build: CatalogBuilder;

    beforeAll(async () => {
      provider = await makeProvider();
      services = await startServices(["products", "inventory", "orders", "payments"], {
        settings: {
          payments: {
            ...provider.settings,
            PAYMENT_WORKER_INTERVAL_MS: "100",
            GUEST_ACCESS_FAILURES_PER_CLIENT_PER_HOUR: String(failureLimit),
          },
        },
      });
      provider.attach(services.payments.url, services.payments.provider);
      url = services.router.url;
      admin = await loginAdmin(url);
      build = new CatalogBuilder(url, admin.accessToken);
    }, 400_000);

    afterAll(async () => {
      await services?.cleanUp();
      await provider?.close();
    });

    /** A guest buys one unit with `card`: a cart, its line, and the order placed from it. */
    async function placeAsGuest(card: string): Promise<Placed> {
      const product = await build.product({ name: `Guest ${provider.name} ${card}`, price: "27.00", stock: 5 });
      const { cartCreate } = await graphqlData<{ cartCreate: { cartToken: string } }>(
        url,
        `mutation { cartCreate { cartToken } }`,
      );
      const variantId = product.defaultVariant.id;
      await graphqlData(
        url,
        `mutation ($cartToken: String, $lines: [CartLineInput!]!) { cartLinesAdd(cartToken: $cartToken, lines: $lines) { id } }`,
        { variables: { cartToken: cartCreate.cartToken, lines: [{ variantId, quantity: 1 }] } },
      );
      const input = {
        cartToken: cartCreate.cartToken,
        idempotencyKey: randomUUID(),
        email: `guest-3ds-${randomUUID().slice(0, 8)}@example.com`,
        shippingAddress: address,
        paymentToken: card,
      };
      return (await graphqlData<{ placeGuestOrder: Placed }>(url, placeGuestOrder, { variables: { input } }))
        .placeGuestOrder;
    }

    const readPayment = (order: Placed, accessToken: string, token?: string) =>
      graphql<{ guestOrder: GuestOrderPayment }>(url, guestOrderPayment, {
        variables: { number: order.number, email: order.guestEmail, accessToken },
        token,
      });
    const paymentOf = async (order: Placed, accessToken = order.guestAccessToken!) => {
      const response = await readPayment(order, accessToken);
      expect(response.errors).toBeUndefined();
      return response.data!.guestOrder;
    };
    const codeOf = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;
    const referenceOf = async (orderId: string) =>
      (await services.payments.runtime.db.payment.findUniqueOrThrow({ where: { orderId } })).captureReference!;

    let waiting: Placed;
    let paid: Placed;

    it("answers the guest's order with its access token, then reads the payment waiting for 3-D Secure with it, its nextAction included", async () => {
      waiting = await placeAsGuest(provider.cards.authenticate);
      expect(waiting).toMatchObject({
        status: "PENDING",
        guestAccessToken: expect.stringMatching(/^ga1\.\d+\.[\w-]{43}$/),
      });

      const awaiting = await waitFor(
        async () => {
          const order = await paymentOf(waiting);
          return order.payment?.status === "REQUIRES_ACTION" ? order : undefined;
        },
        "the guest's payment to wait for 3-D Secure",
        30_000,
      );
      expect(awaiting.status).toBe("AWAITING_PAYMENT");
      expect(awaiting.payment!.nextAction).toMatchObject({
        type: expect.stringMatching(/^(USE_SDK|REDIRECT)$/),
        clientSecret: expect.stringMatching(/_secret_/),
      });
      // Answered once, in placeGuestOrder: never read again (it is not stored).
      expect(awaiting.guestAccessToken).toBeNull();
    });

    it("gives nothing of the payment without the token, with another order's, or to another signed-in customer", async () => {
      paid = await placeAsGuest(provider.cards.paid);
      const variables = { number: waiting.number, email: waiting.guestEmail };

      const withoutToken = await graphql(url, guestOrderPaymentWithoutToken, { variables });
      expect(codeOf(withoutToken)).toBe(ErrorCode.UNAUTHENTICATED);
      const otherOrders = await readPayment(waiting, paid.guestAccessToken!);
      expect(codeOf(otherOrders)).toBe(ErrorCode.FORBIDDEN);
      expect(otherOrders.errors?.[0]?.message).toMatch(/does not open this order's payment/);

      const stranger = await registerCustomer(url);
      const strangerWithout = await graphql(url, guestOrderPaymentWithoutToken, {
        variables,
        token: stranger.accessToken,
      });
      expect(codeOf(strangerWithout)).toBe(ErrorCode.FORBIDDEN);
      const strangerOther = await readPayment(waiting, paid.guestAccessToken!, stranger.accessToken);
      expect(codeOf(strangerOther)).toBe(ErrorCode.FORBIDDEN);
      const strangerById = await graphql(url, orderPayment, {
        variables: { id: waiting.id },
        token: stranger.accessToken,
      });
      expect(codeOf(strangerById)).toBe(ErrorCode.FORBIDDEN);

      for (const refused of [withoutToken, otherOrders, strangerWithout, strangerOther, strangerById])
        expect(JSON.stringify(refused)).not.toMatch(/_secret_/);
      // The other order's token opens its own order's payment, which needs nothing.
      const own = await paymentOf(paid);
      expect(own.payment?.nextAction ?? null).toBeNull();
    });

    it("completes: the bank's authentication passes and the token then shows the payment taken, the order confirmed", async () => {
      await provider.completeAction(await referenceOf(waiting.id), "succeeded");
      const confirmed = await waitFor(
        async () => {
          const order = await paymentOf(waiting);
          return order.status === "CONFIRMED" ? order : undefined;
        },
        "the guest's order to be CONFIRMED",
        30_000,
      );
      expect(confirmed.payment).toMatchObject({ status: "SUCCEEDED", failureReason: null, nextAction: null });
    });

    it("limits tokens that open nothing per client: then even the right token is RATE_LIMITED until the hour ends", async () => {
      const forged = `ga1.${Math.floor(Date.now() / 1000) + 3600}.${"A".repeat(43)}`;
      let answer = await readPayment(waiting, forged);
      for (let tries = 1; codeOf(answer) === ErrorCode.FORBIDDEN && tries <= failureLimit; tries += 1)
        answer = await readPayment(waiting, forged);
      expect(codeOf(answer)).toBe(ErrorCode.RATE_LIMITED);
      const right = await readPayment(waiting, waiting.guestAccessToken!);
      expect(codeOf(right)).toBe(ErrorCode.RATE_LIMITED);
      expect(right.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
      expect(JSON.stringify(right)).not.toMatch(/_secret_/);
    });
  },
);
