import { parse, validate } from "graphql";
import { loadApiSchema } from "../apiSchema";
import { checkContract, contractExists } from "../contract";

const describeContract = contractExists() ? describe : describe.skip;

describeContract("the client contract (../shared/contract/operations.graphql)", () => {
  const checks = checkContract(loadApiSchema());
  const valid = new Set(checks.filter((check) => check.errors.length === 0).map((check) => check.name));

  it("is read in full: every operation is checked", () => {
    expect(checks.length).toBeGreaterThanOrEqual(38);
  });

  // Operations that the capabilities built so far serve. Later issues add to this list until
  // every operation validates and the check becomes strict.
  it.each([
    ...["Register", "Login", "RefreshSession", "Logout", "RequestPasswordReset", "ResetPassword", "Me", "UpdateProfile", "AddAddress", "RemoveAddress"],
    ...["Categories", "Products", "Product", "ProductStockDetail", "AddReview", "CreateCategory", "CreateProduct", "UpdateProduct", "ArchiveProduct", "AdjustStock"],
    ...["Cart", "AddToCart", "UpdateCartItem", "ClearCart", "PlaceOrder", "Order", "MyOrders", "CancelOrder"],
    ...["AdminOrders", "ShipOrder", "MarkOrderDelivered", "RefundOrder", "OrderStatusChanged", "MyOrderUpdates"],
    ...["MyNotifications"],
  ])("%s validates against the supergraph", (name) => {
    expect(checks.find((check) => check.name === name)?.errors).toEqual([]);
    expect(valid.has(name)).toBe(true);
  });

  it("would catch an operation that asks for what the supergraph lacks", () => {
    const errors = validate(loadApiSchema(), parse("query { product(id: \"x\") { id priceInBitcoin } }"));
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining("priceInBitcoin")]);
  });
});
