import { randomUUID } from "node:crypto";
import { ConflictError, NotFoundError, RateLimitedError } from "../../common/errors";
import { isUuid } from "../../common/validation";
import { ProviderRejectedError, type PaymentSource, type SetupStarted } from "../provider/paymentProvider";
import type { PaymentsReader, PaymentsTx } from "../store/database";
import type { PaymentRecord } from "../store/records";
import {
  countSavedMethods,
  deleteSavedMethod,
  findProviderCustomer,
  findSavedMethod,
  findSetup,
  recordSetup,
  saveMethod,
  saveProviderCustomer,
  setupsSince,
} from "../store/savedMethodStore";
import type { PaymentsDependencies } from "./dependencies";

/** Saved cards a customer may keep. */
export const maxSavedMethods = 10;
/** Card-saving sessions a customer may start in an hour (each is a call to the provider). */
export const maxSetupsPerHour = 10;
const hourMs = 3_600_000;

/**
 * How a payment is paid at its provider: its token, or the saved card it names, which must still
 * be the customer's and saved with the payment's provider. Null when that card is gone.
 */
export async function paymentSourceOf(db: PaymentsReader, payment: PaymentRecord): Promise<PaymentSource | null> {
  if (!payment.paymentMethodId) return { kind: "token", token: payment.paymentToken };
  const method = await findSavedMethod(db, payment.paymentMethodId);
  if (!method || method.customerId !== payment.customerId || method.provider !== payment.provider) return null;
  const customer = await findProviderCustomer(db, payment.customerId, payment.provider);
  if (!customer) return null;
  return { kind: "saved", customerReference: customer.reference, methodReference: method.reference };
}

/**
 * Starts saving a card for a customer with the default provider: the provider's customer is made
 * on the first setup (once, by idempotency key), then a setup the client completes with the
 * secret. Limited per customer and hour, and to `maxSavedMethods` saved cards.
 */
export async function startSetup(
  deps: PaymentsDependencies,
  customerId: string,
): Promise<SetupStarted & { provider: string }> {
  const provider = deps.providers.default;
  if ((await countSavedMethods(deps.db, customerId)) >= maxSavedMethods) {
    throw new ConflictError(`You can save at most ${maxSavedMethods} cards: remove one first.`);
  }
  const recent = await setupsSince(deps.db, customerId, new Date(Date.now() - hourMs));
  if (recent.length >= maxSetupsPerHour) {
    const retryAfterMs = recent[0]!.createdAt.getTime() + hourMs - Date.now();
    throw new RateLimitedError(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }
  const customer =
    (await findProviderCustomer(deps.db, customerId, provider.name)) ??
    (await saveProviderCustomer(deps.db, {
      customerId,
      provider: provider.name,
      reference: (await provider.createCustomer({ customerId, idempotencyKey: `customer:${customerId}` })).reference,
    }));
  // Each request is a new setup: its key only makes the SDK's own retries of this call safe.
  const setup = await provider.createSetup({
    customerReference: customer.reference,
    idempotencyKey: `setup:${randomUUID()}`,
  });
  await recordSetup(deps.db, { customerId, provider: provider.name, reference: setup.reference });
  return { ...setup, provider: provider.name };
}

/**
 * The provider says a setup saved a card: it is kept (its reference and how it shows) for the
 * customer who started that setup. A setup not started here, or one of another provider's
 * customer, saves nothing. True when a card was saved.
 */
export async function saveMethodOfSetup(
  tx: PaymentsTx,
  provider: string,
  notice: { setupReference: string; customerReference: string; methodReference: string },
  card: { brand: string; last4: string; expiryMonth: number; expiryYear: number },
): Promise<boolean> {
  const setup = await findSetup(tx, provider, notice.setupReference);
  if (!setup) return false;
  const customer = await findProviderCustomer(tx, setup.customerId, provider);
  if (customer?.reference !== notice.customerReference) return false;
  return saveMethod(tx, { customerId: setup.customerId, provider, reference: notice.methodReference, ...card });
}

/**
 * Removes one of the customer's saved cards, at the provider first (one already gone there is
 * fine), so that it can never be charged again. Another customer's card is NOT_FOUND.
 */
export async function removeMethod(deps: PaymentsDependencies, customerId: string, id: string): Promise<true> {
  const method = isUuid(id) ? await findSavedMethod(deps.db, id) : null;
  if (!method || method.customerId !== customerId)
    throw new NotFoundError("You have no saved card with this id.", "id");
  try {
    await deps.providers.get(method.provider).detachMethod(method.reference);
  } catch (error) {
    if (!(error instanceof ProviderRejectedError)) throw error;
    deps.logger.warn(
      { paymentMethodId: id, err: error.message },
      "the provider no longer knew a saved card being removed",
    );
  }
  await deleteSavedMethod(deps.db, id);
  return true;
}
