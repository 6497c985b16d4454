import express, { type Express } from "express";
import type { PaymentsDependencies } from "../domain/dependencies";
import { receiveNotification } from "../domain/notifications";

/** A webhook is one event, a few kilobytes; anything far larger is not one. */
const maxBodyBytes = "256kb";

/**
 * `POST /webhooks/<provider>`: where a provider posts its notifications (Stripe: `/webhooks/stripe`,
 * routed from the ingress, never through GraphQL and without the router's credential: the
 * provider's signature over the raw body is what authenticates it). 200 once applied (or known,
 * or not ours), 400 for a bad or stale signature (nothing changes), 404 for a provider not
 * configured here, 500 when applying failed (the provider delivers it again later).
 */
export function mountWebhookRoutes(app: Express, deps: () => PaymentsDependencies): void {
  app.post("/webhooks/:provider", express.raw({ type: () => true, limit: maxBodyBytes }), async (req, res) => {
    const provider = deps().providers.find(req.params.provider ?? "");
    if (!provider) {
      res.status(404).json({ error: "no webhook endpoint for this provider" });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      const outcome = await receiveNotification(deps(), provider, body, req.header(provider.signatureHeader));
      if (outcome === "rejected") res.status(400).json({ error: "the signature does not hold" });
      else res.status(200).json({ received: true, outcome });
    } catch (error) {
      deps().logger.error(
        { provider: provider.name, err: (error as Error).message },
        "a webhook could not be applied; the provider delivers it again",
      );
      res.status(500).json({ error: "not applied; deliver it again" });
    }
  });
}
