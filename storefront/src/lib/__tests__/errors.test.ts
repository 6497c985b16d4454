import { apiErrors, discountCodeMessage } from "../errors";

/** A refused code as Apollo Client hands it over: CombinedGraphQLErrors carry the API's `errors`. */
const refused = (message: string, reason?: string) => ({
  errors: [{ message, extensions: { code: "BAD_USER_INPUT", field: "codes", ...(reason ? { reason } : {}) } }],
});

describe("a refused discount code, as the shopper reads it", () => {
  it("keeps the API's message and its reason", () => {
    expect(discountCodeMessage(refused("The code OLD has expired.", "EXPIRED"))).toEqual({
      message: "The code OLD has expired.",
      reason: "EXPIRED",
    });
    expect(apiErrors(refused("x", "UNKNOWN"))[0]).toEqual({
      code: "BAD_USER_INPUT",
      message: "x",
      field: "codes",
      reason: "UNKNOWN",
    });
  });

  it("says what the reason means when the API gives no message", () => {
    expect(discountCodeMessage(refused("", "MIN_SUBTOTAL")).message).toBe("Your order is below this code's minimum.");
  });

  it("falls back to the usual sentence for anything else", () => {
    expect(discountCodeMessage({ statusCode: 401 })).toEqual({
      message: "Your session has expired. Please sign in again.",
      reason: null,
    });
  });
});
