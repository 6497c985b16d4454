import express, { type Express } from "express";
import type { Logger } from "../../common/logger";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import { carrierSignatureHeader, receiveCarrierEvent } from "../domain/fulfillment/carrierWebhook";
import type { OrdersTx } from "../store/database";

/** A tracking event is a few hundred bytes; anything far larger is not one. */
const maxBodyBytes = "64kb";

export interface CarrierWebhookDependencies {
  unitOfWork: UnitOfWork<OrdersTx>;
  secrets: ReadonlyMap<string, string>;
  toleranceSeconds: number;
  logger: Logger;
}

/**
 * `POST /webhooks/carriers/<code>`: where a carrier posts tracking events (routed from the ingress,
 * never through GraphQL; the signature over the raw body with the carrier's secret is what
 * authenticates it). 200 once applied (or known, stale, or about no parcel of ours), 400 for a bad
 * or stale signature or a body that is not the generic shape (nothing changes), 404 for a carrier
 * without a secret here, 500 when applying failed (the carrier delivers it again).
 */
export function mountCarrierWebhookRoutes(app: Express, deps: () => CarrierWebhookDependencies): void {
  app.post("/webhooks/carriers/:carrier", express.raw({ type: () => true, limit: maxBodyBytes }), async (req, res) => {
    const code = String(req.params.carrier ?? "");
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      const outcome = await receiveCarrierEvent(deps(), code, body, req.header(carrierSignatureHeader));
      if (outcome === "no-such-carrier") res.status(404).json({ error: "no webhook endpoint for this carrier" });
      else if (outcome === "rejected") res.status(400).json({ error: "the signature does not hold" });
      else if (outcome === "malformed") res.status(400).json({ error: "not a tracking event" });
      else res.status(200).json({ received: true, outcome });
    } catch (error) {
      deps().logger.error({ carrier: code, err: (error as Error).message }, "a carrier event could not be applied");
      res.status(500).json({ error: "not applied; deliver it again" });
    }
  });
}
