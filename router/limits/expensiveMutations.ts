/**
 * Mutations that cost far more than a field: a password hash (scrypt, 64 MiB and ~150 ms each),
 * an email sent, a payment provider called, stock reserved. Each counts its weight against the
 * per-request budget (MAX_EXPENSIVE_MUTATIONS), however it is written: aliases, fragments.
 *
 * The one list to extend when such a mutation is added. A name the schema does not have yet
 * costs nothing here, so the list may run ahead of the schema.
 */
export const expensiveMutationWeights: Readonly<Record<string, number>> = {
  // A password hash, and a welcome (verification) email.
  register: 1,
  // A password hash.
  login: 1,
  // A password hash, and every session revoked.
  resetPassword: 1,
  // An email.
  requestPasswordReset: 1,
  // The current password hashed, and emails to the new and the old address.
  requestEmailChange: 2,
  // An email.
  resendVerificationEmail: 1,
  // A change of email goes the way of requestEmailChange.
  updateProfile: 1,
  // Calls to the identity provider (token endpoint, JWKS, UserInfo), and maybe a new account.
  oidcSignInStart: 1,
  oidcSignInComplete: 1,
  // A text message sent.
  requestPhoneNumberChange: 1,
  // Stock reserved, a payment captured: the checkout saga.
  placeOrder: 1,
  placeGuestOrder: 1,
  checkoutCart: 1,
  // A refund at the payment provider.
  refundOrder: 1,
  // May refund a captured payment.
  cancelOrder: 1,
  // Sign every holder of the role out (their sessions revoked in the database and in Redis).
  roleUpdate: 1,
  roleDelete: 1,
  // Stock deducted at a location.
  fulfillmentCreate: 1,
  // A refund at the payment provider, and stock put back.
  returnReceive: 1,
  // A password hash, then every service erases the person (events to all six).
  deleteMyAccount: 2,
  // Every service gathers what it holds about the person.
  exportMyData: 1,
  // Every service erases the person.
  eraseCustomer: 1,
};

/** What one root mutation field costs against the expensive budget: its weight, or 0. */
export function expensiveWeight(fieldName: string): number {
  return Object.prototype.hasOwnProperty.call(expensiveMutationWeights, fieldName)
    ? expensiveMutationWeights[fieldName]!
    : 0;
}
