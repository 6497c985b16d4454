/**
 * Every code clients see in `extensions.code` (docs/contract.md), and the errors that carry them.
 * Domain code throws these; the GraphQL layer turns them into GraphQL errors, and masks
 * every other error as INTERNAL_SERVER_ERROR. Nothing in the router or a subgraph spells a code
 * as a string: it names a member of this enum.
 */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "RATE_LIMITED",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
  // Apollo Server's own codes (its `ApolloServerErrorCode`), which the router also answers with
  // for the same failures: a malformed request, an operation that does not validate, an unknown
  // persisted query.
  BAD_REQUEST: "BAD_REQUEST",
  GRAPHQL_PARSE_FAILED: "GRAPHQL_PARSE_FAILED",
  GRAPHQL_VALIDATION_FAILED: "GRAPHQL_VALIDATION_FAILED",
  PERSISTED_QUERY_NOT_FOUND: "PERSISTED_QUERY_NOT_FOUND",
  PERSISTED_QUERY_NOT_SUPPORTED: "PERSISTED_QUERY_NOT_SUPPORTED",
  OPERATION_RESOLUTION_FAILURE: "OPERATION_RESOLUTION_FAILURE",
  /** The router could not reach a subgraph: the fields it provides are missing from the answer. */
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An expected failure, with a message meant for the person using the API. */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;

  /** Extra `extensions` fields clients may rely on. */
  extensions(): Record<string, unknown> {
    return {};
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = ErrorCode.UNAUTHENTICATED;
  constructor(message = "You must sign in to do this.") {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = ErrorCode.FORBIDDEN;
  constructor(message = "You are not allowed to do this.") {
    super(message);
  }
}

export class BadUserInputError extends DomainError {
  readonly code = ErrorCode.BAD_USER_INPUT;
  /** `field` is the dotted path of the input field at fault, such as `price` or `items.0.quantity`. */
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  override extensions(): Record<string, unknown> {
    return this.field ? { field: this.field } : {};
  }
}

export class NotFoundError extends DomainError {
  readonly code = ErrorCode.NOT_FOUND;
  /** `field`, when the id came in an input, is the input field that named it. */
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  override extensions(): Record<string, unknown> {
    return this.field ? { field: this.field } : {};
  }
}

export class ConflictError extends DomainError {
  readonly code = ErrorCode.CONFLICT;
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  override extensions(): Record<string, unknown> {
    return this.field ? { field: this.field } : {};
  }
}

export class RateLimitedError extends DomainError {
  readonly code = ErrorCode.RATE_LIMITED;
  constructor(
    readonly retryAfterSeconds: number,
    message = `Too many requests. Try again in ${retryAfterSeconds} seconds.`,
  ) {
    super(message);
  }
  override extensions(): Record<string, unknown> {
    return { retryAfter: this.retryAfterSeconds };
  }
}
