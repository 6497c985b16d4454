import { DomainError, ErrorCode } from "../../common/errors";

/**
 * The identity provider could not be asked (unreachable, an error of its own, a document that is
 * not what OpenID Connect says): the sign-in cannot go on now, through no fault of the user.
 * The reason is logged; the client is told only which provider failed.
 */
export class IdentityProviderUnavailableError extends DomainError {
  readonly code = ErrorCode.SERVICE_UNAVAILABLE;
  constructor(readonly reason: string) {
    super("The identity provider cannot be reached right now. Try again in a moment.");
  }
}
