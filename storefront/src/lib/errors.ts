/**
 * What a shopper is told when something goes wrong: the API's error codes (CONTRACT.md) and the
 * payment provider's decline reasons turned into sentences, shown where the thing happened.
 */
export interface ApiError {
  code: string;
  message: string;
  field?: string;
  /** Why an input was refused, where the API says (a discount code's EXPIRED, UNKNOWN...). */
  reason?: string;
}

interface ErrorShape {
  message?: unknown;
  extensions?: { code?: unknown; field?: unknown; argumentName?: unknown; reason?: unknown };
}

function fromGraphQLError(error: ErrorShape): ApiError {
  const extensions = error.extensions ?? {};
  const field = typeof extensions.field === "string" ? extensions.field : undefined;
  const reason = typeof extensions.reason === "string" ? extensions.reason : undefined;
  return {
    code: typeof extensions.code === "string" ? extensions.code : "INTERNAL_SERVER_ERROR",
    message: typeof error.message === "string" ? error.message : "Something went wrong.",
    ...(field ? { field } : {}),
    ...(reason ? { reason } : {}),
  };
}

/**
 * The GraphQL errors inside whatever Apollo Client or fetch threw: CombinedGraphQLErrors carry
 * `errors`; a ServerError (a non-2xx answer, such as the router's 401 for an expired token)
 * carries the parsed body in `result`; anything else is a network failure.
 */
export function apiErrors(error: unknown): ApiError[] {
  if (!error || typeof error !== "object") return [];
  const shaped = error as { errors?: unknown; result?: { errors?: unknown }; statusCode?: unknown; name?: unknown };
  const list = Array.isArray(shaped.errors)
    ? shaped.errors
    : Array.isArray(shaped.result?.errors)
      ? shaped.result.errors
      : null;
  if (list) return (list as ErrorShape[]).map(fromGraphQLError);
  if (shaped.statusCode === 401) return [{ code: "UNAUTHENTICATED", message: "Your session has expired." }];
  return [{ code: "NETWORK", message: "The shop could not be reached." }];
}

export function hasCode(error: unknown, code: string): boolean {
  return apiErrors(error).some((each) => each.code === code);
}

/** One sentence for the shopper about an API error. */
export function shopperMessage(error: unknown): string {
  const [first] = apiErrors(error);
  if (!first) return "Something went wrong. Please try again.";
  switch (first.code) {
    case "UNAUTHENTICATED":
      return "Your session has expired. Please sign in again.";
    case "FORBIDDEN":
      return "You are not allowed to see this.";
    case "NOT_FOUND":
      return "We could not find that.";
    case "RATE_LIMITED":
      return "Too many tries. Please wait a moment and try again.";
    case "NETWORK":
      return "The shop could not be reached. Check your connection and try again.";
    case "BAD_USER_INPUT":
    case "CONFLICT":
      // These messages are written for the person who sent the input (CONTRACT.md).
      return first.message;
    default:
      return "Something went wrong on our side. Please try again.";
  }
}

const codeReasons: Record<string, string> = {
  UNKNOWN: "No discount has this code.",
  INACTIVE: "This code is not active.",
  NOT_STARTED: "This code is not valid yet.",
  EXPIRED: "This code has expired.",
  EXHAUSTED: "This code has been used up.",
  MIN_SUBTOTAL: "Your order is below this code's minimum.",
  NOT_COMBINABLE: "This code cannot be combined with your other discounts.",
  NOT_APPLICABLE: "This code does not apply to these items.",
};

/**
 * Why a discount code was refused, in the API's own words (its message names the code and, for a
 * minimum, the amount), else a sentence for its `reason`, else the usual message.
 */
export function discountCodeMessage(error: unknown): { message: string; reason: string | null } {
  const refused = apiErrors(error).find((each) => each.code === "BAD_USER_INPUT");
  if (!refused) return { message: shopperMessage(error), reason: null };
  const reason = refused.reason ?? null;
  return { message: refused.message || (reason && codeReasons[reason]) || "This code cannot be used.", reason };
}

const declineReasons: Record<string, string> = {
  card_declined: "Your card was declined.",
  insufficient_funds: "Your card was declined: insufficient funds.",
  expired_card: "Your card has expired.",
  authentication_failed: "The payment was not authenticated by your bank.",
  invalid_token: "The card details were not accepted.",
};

/** The provider's reason for a failed payment, as the shopper reads it. */
export function declineMessage(reason: string | null | undefined): string {
  return (reason && declineReasons[reason]) ?? "Your payment did not go through.";
}

const cancellationReasons: Record<string, string> = {
  OUT_OF_STOCK: "Sorry, an item sold out before we could reserve it. Nothing was charged.",
  PAYMENT_DECLINED: "The payment was declined. Nothing was charged.",
  PAYMENT_TIMEOUT: "The payment was not completed in time. Nothing was charged.",
  CANCELLED_BY_CUSTOMER: "You cancelled this order.",
  CANCELLED_BY_ADMIN: "The shop cancelled this order.",
};

export function cancellationMessage(reason: string | null | undefined): string {
  return (reason && cancellationReasons[reason]) ?? "This order was cancelled.";
}
