import { ErrorCode } from "../../../subgraphs/common/errors";
import { ordersService } from "../../../subgraphs/orders";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { address, placeOrder, placeOrderInput, settled, waitForOrder } from "../../support/checkout";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { login, loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startTestSubgraph } from "../../support/testSubgraph";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const allServices = ["products", "inventory", "orders", "payments", "notifications"] as const;

const requestFields = `id kind status requestedAt completedAt exportExpiresAt
  report { service status completedAt counts { name count } }`;

interface PrivacyRequestView {
  id: string;
  kind: "EXPORT" | "ERASURE";
  status: "PENDING" | "COMPLETED";
  completedAt: string | null;
  exportExpiresAt: string | null;
  report: Array<{ service: string; status: "PENDING" | "DONE"; counts: Array<{ name: string; count: number }> }>;
  exportDocument?: string | null;
}

type Customer = Session & { password: string; orderId: string; orderNumber: string; orderTotal: string };

/**
 * Export and erasure of a person's data across the six services, through the router against the
 * real services: each answers through its outbox, and a request waits for a service that is down.
 */
// Each test builds customers with data in every service first (orders paid, cards saved).
jest.setTimeout(120_000);

describe("privacy requests: export and erasure in every service", () => {
  let services: TestServices<(typeof allServices)[number]>;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;
  let product: { id: string };

  beforeAll(async () => {
    services = await startServices(allServices);
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
    product = await build.product({ name: "Privacy Lamp", price: "25.00", stock: 100 });
    // Six services and the router start in this process.
  }, 180_000);

  afterAll(() => services?.cleanUp());

  /** A customer with data in every service: an address, a paid order, a saved card, a review, messages. */
  async function customerWithData(name: string): Promise<Customer> {
    const session = await registerCustomer(url, { name });
    const token = session.accessToken;
    await graphqlData(url, `mutation($input: AddressInput!) { addAddress(input: $input) { id } }`, {
      token,
      variables: { input: { ...address, name: undefined, label: "Home" } },
    });
    const placed = await placeOrder(
      url,
      token,
      placeOrderInput([{ productId: product.id, quantity: 1 }], "tok_visa", {
        shippingAddress: { ...address, name },
      }),
    );
    const order = await waitForOrder(url, token, placed.id, (each) => settled(each) && !!each.payment, "payment");
    expect(order.status).toBe("CONFIRMED");
    const { paymentMethodSetupCreate } = await graphqlData(
      url,
      `mutation { paymentMethodSetupCreate { clientSecret } }`,
      {
        token,
      },
    );
    const secret = paymentMethodSetupCreate.clientSecret as string;
    await services.payments.provider.completeSetup(secret.slice(0, secret.indexOf("_secret_")), "tok_visa");
    await waitFor(
      async () =>
        (await services.payments.runtime.db.savedPaymentMethod.count({ where: { customerId: session.user.id } })) === 1,
      "the card to be saved",
    );
    await graphqlData(url, `mutation($input: AddReviewInput!) { addReview(input: $input) { id } }`, {
      token,
      variables: { input: { productId: product.id, rating: 4, title: `Review by ${name}`, body: "Bright enough." } },
    });
    await waitFor(
      async () =>
        (await services.notifications.runtime.db.notification.count({ where: { userId: session.user.id } })) > 0,
      "a message to the customer",
    );
    return { ...session, orderId: order.id, orderNumber: order.number, orderTotal: order.total.amount };
  }

  async function privacyRequest(token: string, id: string): Promise<PrivacyRequestView> {
    const { privacyRequest: request } = await graphqlData<{ privacyRequest: PrivacyRequestView }>(
      url,
      `query($id: ID!) { privacyRequest(id: $id) { ${requestFields} exportDocument } }`,
      { token, variables: { id } },
    );
    return request;
  }

  const completed = (token: string, id: string, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const request = await privacyRequest(token, id);
        return request.status === "COMPLETED" ? request : undefined;
      },
      "every service to answer",
      timeoutMs,
    );

  const exportMyData = async (token: string) =>
    (
      await graphqlData<{ exportMyData: PrivacyRequestView }>(url, `mutation { exportMyData { ${requestFields} } }`, {
        token,
      })
    ).exportMyData;

  const eraseCustomer = (token: string, userId: string) =>
    graphql<{ eraseCustomer: PrivacyRequestView }>(
      url,
      `mutation($userId: ID!) { eraseCustomer(userId: $userId) { ${requestFields} } }`,
      { token, variables: { userId } },
    );

  const statusOf = (request: PrivacyRequestView, service: string) =>
    request.report.find((each) => each.service === service)?.status;

  it("exports what every service holds about the customer, and nothing about anyone else", async () => {
    const ada = await customerWithData("Ada Privacy");
    const bob = await customerWithData("Bob Bystander");

    const started = await exportMyData(ada.accessToken);
    expect(started).toMatchObject({ kind: "EXPORT" });
    expect(statusOf(started, "users")).toBe("DONE");
    const done = await completed(ada.accessToken, started.id);
    expect(done.report.map((each) => [each.service, each.status])).toEqual([
      ["users", "DONE"],
      ["products", "DONE"],
      ["inventory", "DONE"],
      ["orders", "DONE"],
      ["payments", "DONE"],
      ["notifications", "DONE"],
    ]);
    expect(new Date(done.exportExpiresAt!).getTime()).toBeGreaterThan(Date.now());

    const text = done.exportDocument!;
    const document = JSON.parse(text) as { userId: string; services: Record<string, any> };
    expect(document.userId).toBe(ada.user.id);
    const { users, products, inventory, orders, payments, notifications } = document.services;
    expect(users.account).toMatchObject({ id: ada.user.id, email: ada.user.email, name: "Ada Privacy" });
    expect(users.addresses).toEqual([expect.objectContaining({ label: "Home", line1: address.line1 })]);
    expect(products.reviews).toEqual([
      expect.objectContaining({ productId: product.id, title: "Review by Ada Privacy" }),
    ]);
    expect(inventory).toEqual({ stockMovements: [] });
    expect(orders.orders).toEqual([
      expect.objectContaining({
        number: ada.orderNumber,
        total: ada.orderTotal,
        shippingAddress: expect.objectContaining({ name: "Ada Privacy", line1: address.line1 }),
      }),
    ]);
    expect(payments.payments).toEqual([expect.objectContaining({ orderId: ada.orderId, amount: ada.orderTotal })]);
    expect(payments.savedPaymentMethods).toEqual([
      expect.objectContaining({ brand: expect.any(String), last4: "4242" }),
    ]);
    expect(notifications.contacts).toMatchObject({ email: ada.user.email });
    expect(notifications.notifications.length).toBeGreaterThan(0);
    expect((notifications.notifications as Array<{ kind: string }>).map((each) => each.kind)).toContain("WELCOME");
    // Nothing of the other customer, anywhere in the document.
    for (const other of [bob.user.id, bob.user.email, bob.orderNumber, bob.orderId, "Bob Bystander"]) {
      expect(text).not.toContain(other);
    }
    // No secret either: no password hash, no sealed link.
    expect(text).not.toMatch(/scrypt|"sealed|v1\./);

    // The report counts what each service exported.
    const orderCounts = done.report.find((each) => each.service === "orders")!.counts;
    expect(orderCounts).toContainEqual({ name: "orders", count: 1 });

    // The document is the customer's alone: staff see the report, others nothing at all.
    const seenByAdmin = await privacyRequest(admin.accessToken, started.id);
    expect(seenByAdmin.status).toBe("COMPLETED");
    expect(seenByAdmin.exportDocument).toBeNull();
    const seenByBob = await graphql(
      url,
      `
        query ($id: ID!) {
          privacyRequest(id: $id) {
            id
          }
        }
      `,
      {
        token: bob.accessToken,
        variables: { id: started.id },
      },
    );
    expect(seenByBob.errors?.[0]?.extensions?.code).toBe(ErrorCode.NOT_FOUND);
    const { myPrivacyRequests } = await graphqlData(url, `query { myPrivacyRequests { id status } }`, {
      token: ada.accessToken,
    });
    expect(myPrivacyRequests).toEqual([{ id: started.id, status: "COMPLETED" }]);
  });

  it("erases the customer in every service: orders keep their totals without personal fields, sign-in fails", async () => {
    const cleo = await customerWithData("Cleo Erased");
    const dan = await customerWithData("Dan Remains");

    const wrong = await graphql(
      url,
      `
        mutation ($input: DeleteMyAccountInput!) {
          deleteMyAccount(input: $input) {
            id
          }
        }
      `,
      {
        token: cleo.accessToken,
        variables: { input: { password: "not the password" } },
      },
    );
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, field: "password" });

    const { deleteMyAccount } = await graphqlData<{ deleteMyAccount: PrivacyRequestView }>(
      url,
      `mutation($input: DeleteMyAccountInput!) { deleteMyAccount(input: $input) { ${requestFields} } }`,
      { token: cleo.accessToken, variables: { input: { password: cleo.password } } },
    );
    expect(deleteMyAccount.kind).toBe("ERASURE");
    expect(statusOf(deleteMyAccount, "users")).toBe("DONE");

    // Signed out everywhere at once, and never again signed in.
    const me = await graphql(
      url,
      `
        query {
          me {
            id
          }
        }
      `,
      { token: cleo.accessToken },
    );
    expect(me.errors?.[0]?.extensions?.code).toBe(ErrorCode.UNAUTHENTICATED);
    const signIn = await graphql(
      url,
      `
        mutation ($input: LoginInput!) {
          login(input: $input) {
            accessToken
          }
        }
      `,
      {
        variables: { input: { email: cleo.user.email, password: cleo.password } },
      },
    );
    expect(signIn.errors?.[0]?.extensions?.code).toBe(ErrorCode.UNAUTHENTICATED);
    const refreshed = await graphql(
      url,
      `
        mutation ($t: String!) {
          refreshSession(refreshToken: $t) {
            accessToken
          }
        }
      `,
      {
        variables: { t: cleo.refreshToken },
      },
    );
    expect(refreshed.errors?.[0]?.extensions?.code).toBe(ErrorCode.UNAUTHENTICATED);

    const done = await completed(admin.accessToken, deleteMyAccount.id);
    expect(done.report.every((each) => each.status === "DONE")).toBe(true);
    const countsOf = (service: string) =>
      Object.fromEntries(done.report.find((each) => each.service === service)!.counts.map((c) => [c.name, c.count]));
    expect(countsOf("orders")).toMatchObject({ ordersAnonymised: 1 });
    expect(countsOf("payments")).toMatchObject({ savedMethodsRemoved: 1, paymentsAnonymised: 1 });
    expect(countsOf("products")).toMatchObject({ reviewsAnonymised: 1 });
    expect(countsOf("users")).toMatchObject({ users: 1, addresses: 1 });
    expect(countsOf("notifications").notificationsErased).toBeGreaterThan(0);

    // The order stays for the books, with its total and payment, but no name or address.
    const { order } = await graphqlData(
      url,
      `query($id: ID!) { order(id: $id) { number total { amount } shippingAddress { name line1 line2 city postalCode country }
        payment { status amount { amount } } customer { id name } } }`,
      { token: admin.accessToken, variables: { id: cleo.orderId } },
    );
    expect(order).toMatchObject({
      number: cleo.orderNumber,
      total: { amount: cleo.orderTotal },
      shippingAddress: { name: null, line1: "", line2: null, city: "", postalCode: "", country: address.country },
      payment: { status: "SUCCEEDED", amount: { amount: cleo.orderTotal } },
      customer: { id: cleo.user.id, name: "Deleted user" },
    });
    // Every service's own records, read from its database.
    const userRow = await services.users.runtime.db.user.findUniqueOrThrow({ where: { id: cleo.user.id } });
    expect(userRow).toMatchObject({ name: "Deleted user", passwordHash: null, phoneNumber: null });
    expect(userRow.email).not.toBe(cleo.user.email);
    expect(userRow.erasedAt).not.toBeNull();
    expect(await services.users.runtime.db.address.count({ where: { userId: cleo.user.id } })).toBe(0);
    expect(await services.users.runtime.db.session.count({ where: { userId: cleo.user.id } })).toBe(0);
    expect(await services.products.runtime.db.review.count({ where: { authorId: cleo.user.id } })).toBe(0);
    expect(await services.payments.runtime.db.savedPaymentMethod.count({ where: { customerId: cleo.user.id } })).toBe(
      0,
    );
    const messages = await services.notifications.runtime.db.notification.findMany({ where: { userId: cleo.user.id } });
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((each) => each.body === "" && each.subject === "" && each.recipient === null)).toBe(true);
    expect(
      await services.notifications.runtime.db.knownUser.findUnique({ where: { userId: cleo.user.id } }),
    ).toMatchObject({
      email: "",
      name: "",
    });
    // The review stays, without an author; the product's rating does not move.
    const { product: reviewed } = await graphqlData(
      url,
      `query($id: ID!) { product(id: $id) { reviews(first: 50) { edges { node { title rating author { id name } } } } } }`,
      { variables: { id: product.id } },
    );
    const cleosReview = (
      reviewed.reviews.edges as Array<{ node: { title: string; author: { id: string } | null } }>
    ).find((edge) => edge.node.title === "Review by Cleo Erased");
    // Its author id names no one now, so the users service finds no author to show.
    expect(cleosReview?.node).toMatchObject({ rating: 4, author: null });

    // The other customer is untouched.
    const stillThere = await login(url, dan.user.email, dan.password);
    expect(stillThere.user.id).toBe(dan.user.id);
    const dansOrder = await waitForOrder(url, dan.accessToken, dan.orderId, () => true, "Dan's order");
    expect(dansOrder.shippingAddress).toMatchObject({ name: "Dan Remains", line1: address.line1 });
    expect(await services.payments.runtime.db.savedPaymentMethod.count({ where: { customerId: dan.user.id } })).toBe(1);
  });

  it("lets staff with the CUSTOMERS permission erase a customer, and no one else", async () => {
    const eve = await customerWithData("Eve Erased By Staff");
    const mallory = await registerCustomer(url);
    expect((await eraseCustomer(mallory.accessToken, eve.user.id)).errors?.[0]?.extensions?.code).toBe(
      ErrorCode.FORBIDDEN,
    );
    expect((await eraseCustomer(admin.accessToken, admin.user.id)).errors?.[0]?.extensions?.code).toBe(
      ErrorCode.CONFLICT,
    );
    const erased = await eraseCustomer(admin.accessToken, eve.user.id);
    expect(erased.errors).toBeUndefined();
    await completed(admin.accessToken, erased.data!.eraseCustomer.id);
    expect((await eraseCustomer(admin.accessToken, eve.user.id)).errors?.[0]?.extensions?.code).toBe(
      ErrorCode.CONFLICT,
    );
    const signIn = await graphql(
      url,
      `
        mutation ($input: LoginInput!) {
          login(input: $input) {
            accessToken
          }
        }
      `,
      {
        variables: { input: { email: eve.user.email, password: eve.password } },
      },
    );
    expect(signIn.errors?.[0]?.extensions?.code).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it("waits for a service that is down: the requests stay pending, then complete once it is back", async () => {
    const fay = await customerWithData("Fay Waits");
    const gus = await customerWithData("Gus Waits");
    const port = services.orders.port;
    await services.orders.stop();
    let exportId: string;
    let erasureId: string;
    try {
      exportId = (await exportMyData(fay.accessToken)).id;
      const erasure = await eraseCustomer(admin.accessToken, gus.user.id);
      expect(erasure.errors).toBeUndefined();
      erasureId = erasure.data!.eraseCustomer.id;
      // Every other service answers; orders cannot, and the requests wait for it.
      for (const id of [exportId, erasureId]) {
        const waiting = await waitFor(async () => {
          const request = await privacyRequest(admin.accessToken, id);
          return request.report.filter((each) => each.status === "DONE").length === 5 ? request : undefined;
        }, "five services to answer");
        expect(waiting.status).toBe("PENDING");
        expect(statusOf(waiting, "orders")).toBe("PENDING");
      }
      // One open export at a time.
      const again = await graphql(
        url,
        `
          mutation {
            exportMyData {
              id
            }
          }
        `,
        { token: fay.accessToken },
      );
      expect(again.errors?.[0]?.extensions?.code).toBe(ErrorCode.CONFLICT);
      expect((await privacyRequest(fay.accessToken, exportId)).exportDocument).toBeNull();
    } finally {
      services.orders = await startTestSubgraph(ordersService, services.testId, {
        ...services.shared,
        PORT: String(port),
      });
    }
    const exported = await completed(fay.accessToken, exportId);
    const document = JSON.parse(exported.exportDocument!) as {
      services: { orders: { orders: Array<{ number: string }> } };
    };
    expect(document.services.orders.orders.map((each) => each.number)).toEqual([fay.orderNumber]);
    await completed(admin.accessToken, erasureId);
    const { order } = await graphqlData(
      url,
      `query($id: ID!) { order(id: $id) { total { amount } shippingAddress { name line1 country } } }`,
      { token: admin.accessToken, variables: { id: gus.orderId } },
    );
    expect(order).toEqual({
      total: { amount: gus.orderTotal },
      shippingAddress: { name: null, line1: "", country: address.country },
    });
  });
});
