import type { PaymentsTx } from "./database";

/**
 * Records a provider's event as applied, in the transaction of its effect; false when it was
 * applied before (a repeated delivery), and the caller then changes nothing.
 */
export async function recordWebhookEvent(tx: PaymentsTx, provider: string, eventId: string): Promise<boolean> {
  const { count } = await tx.processedWebhookEvent.createMany({ data: [{ provider, eventId }], skipDuplicates: true });
  return count === 1;
}
