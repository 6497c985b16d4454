import { afterNewestFirst } from "../../common/pagination";
import type { PaymentMethodSetup, ProviderCustomer, SavedPaymentMethod } from "../generated/prisma/client";
import type { PaymentsReader, PaymentsTx } from "./database";

export function findProviderCustomer(
  db: PaymentsReader,
  customerId: string,
  provider: string,
): Promise<ProviderCustomer | null> {
  return db.providerCustomer.findUnique({ where: { customerId_provider: { customerId, provider } } });
}

/** Remembers the provider's customer; the first one recorded wins (the provider made it once, by idempotency key). */
export async function saveProviderCustomer(
  db: PaymentsReader,
  customer: { customerId: string; provider: string; reference: string },
): Promise<ProviderCustomer> {
  await db.providerCustomer.createMany({ data: [customer], skipDuplicates: true });
  return (await findProviderCustomer(db, customer.customerId, customer.provider))!;
}

export function recordSetup(
  db: PaymentsReader,
  setup: { customerId: string; provider: string; reference: string },
): Promise<PaymentMethodSetup> {
  return db.paymentMethodSetup.create({ data: setup });
}

export function findSetup(db: PaymentsReader, provider: string, reference: string): Promise<PaymentMethodSetup | null> {
  return db.paymentMethodSetup.findUnique({ where: { provider_reference: { provider, reference } } });
}

/** Setups a customer started since `since`, oldest first (the hourly limit). */
export function setupsSince(db: PaymentsReader, customerId: string, since: Date): Promise<Array<{ createdAt: Date }>> {
  return db.paymentMethodSetup.findMany({
    where: { customerId, createdAt: { gte: since } },
    select: { createdAt: true },
    orderBy: { createdAt: "asc" },
  });
}

/** Saves a card once: the same provider reference saved again changes nothing. */
export async function saveMethod(
  tx: PaymentsTx,
  method: Omit<SavedPaymentMethod, "id" | "createdAt">,
): Promise<boolean> {
  const { count } = await tx.savedPaymentMethod.createMany({ data: [method], skipDuplicates: true });
  return count === 1;
}

export function findSavedMethod(db: PaymentsReader, id: string): Promise<SavedPaymentMethod | null> {
  return db.savedPaymentMethod.findUnique({ where: { id } });
}

export function countSavedMethods(db: PaymentsReader, customerId: string): Promise<number> {
  return db.savedPaymentMethod.count({ where: { customerId } });
}

/** A page of a customer's saved methods, newest first, after the cursor; one row more than `size` tells if another page follows. */
export function listSavedMethods(
  db: PaymentsReader,
  query: { customerId: string; size: number; after?: string | null },
): Promise<SavedPaymentMethod[]> {
  return db.savedPaymentMethod.findMany({
    where: { customerId: query.customerId, ...afterNewestFirst(query.after) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.size + 1,
  });
}

export async function deleteSavedMethod(db: PaymentsReader, id: string): Promise<void> {
  await db.savedPaymentMethod.deleteMany({ where: { id } });
}
