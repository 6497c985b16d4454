import { randomUUID } from "node:crypto";
import { carrierSignatureHeader, signCarrierEvent } from "../../subgraphs/orders";
import { graphqlData } from "./graphqlClient";

/** A carrier's secret for tests (CARRIER_WEBHOOK_SECRETS=acme=<this>). */
export const testCarrierSecret = "acme-test-secret-0123456789";

export async function createCarrier(
  url: string,
  adminToken: string,
  code = "acme",
): Promise<{ id: string; code: string }> {
  const { carrierCreate } = await graphqlData(
    url,
    `mutation($input: CarrierCreateInput!) { carrierCreate(input: $input) { id code } }`,
    {
      token: adminToken,
      variables: {
        input: { code, name: "Acme Parcels", trackingUrlTemplate: "https://track.acme.example/{trackingNumber}" },
      },
    },
  );
  return carrierCreate;
}

export const fulfillmentCreate = `mutation($input: FulfillmentCreateInput!) {
  fulfillmentCreate(input: $input) { id locationId carrierName trackingNumber trackingUrl status lines { orderItemId quantity } } }`;

/** A tracking event as a carrier posts it to the orders service's webhook, signed (or not) as told. */
export async function postCarrierEvent(
  ordersUrl: string,
  carrier: string,
  event: { trackingNumber: string; status: string; eventId?: string; occurredAt?: string; shipmentId?: string },
  options: { secret?: string; timestamp?: number; signature?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify({
    eventId: event.eventId ?? randomUUID(),
    trackingNumber: event.trackingNumber,
    status: event.status,
    occurredAt: event.occurredAt ?? new Date().toISOString(),
    ...(event.shipmentId ? { shipmentId: event.shipmentId } : {}),
  });
  const signature =
    options.signature ??
    signCarrierEvent(options.secret ?? testCarrierSecret, body, options.timestamp ?? Math.floor(Date.now() / 1000));
  const response = await fetch(`${new URL(ordersUrl).origin}/webhooks/carriers/${carrier}`, {
    method: "POST",
    headers: { "content-type": "application/json", [carrierSignatureHeader]: signature },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
