import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { declineReasons } from "../declineReasons";
import { WebhookSignatureError, type ProviderEvent } from "../paymentProvider";

/** How old a signed notification may be (as Stripe's default tolerance). */
const toleranceSeconds = 300;

const reference = z.string().min(1);
const state = z.discriminatedUnion("status", [
  z.object({ status: z.literal("captured"), reference }),
  z.object({
    status: z.literal("declined"),
    reference: reference.nullable(),
    reason: z.enum(declineReasons),
    detail: z.string(),
  }),
  z.object({
    status: z.literal("requires_action"),
    reference,
    action: z.object({
      type: z.enum(["USE_SDK", "REDIRECT"]),
      clientSecret: z.string().nullable(),
      redirectUrl: z.string().nullable(),
    }),
  }),
  z.object({ status: z.literal("processing"), reference }),
  z.object({ status: z.literal("canceled"), reference }),
]);
const notification = z.discriminatedUnion("kind", [
  z.object({ id: z.string(), kind: z.literal("payment"), paymentId: z.uuid(), state }),
  z.object({
    id: z.string(),
    kind: z.literal("refund"),
    refundId: z.uuid(),
    reference,
    outcome: z.enum(["refunded", "failed"]),
  }),
  z.object({
    id: z.string(),
    kind: z.literal("setup"),
    setupReference: reference,
    customerReference: reference,
    methodReference: reference,
  }),
]);

/** A notification as the simulated provider sends it: a JSON body and its signature header. */
export interface SignedNotification {
  body: string;
  signature: string;
}

/** A notification before it gets its id (each member of the union without `id`). */
export type UnsentNotification = ProviderEvent extends infer Event
  ? Event extends ProviderEvent
    ? Omit<Event, "id">
    : never
  : never;

export type NotificationListener = (notification: SignedNotification) => Promise<void>;

/**
 * The simulated provider's notifications, signed as Stripe signs its webhooks (`t=<time>,v1=<HMAC
 * of "<time>.<body>">`) with a secret of its own, so that the service verifies and applies them
 * exactly as it does a real provider's. They are handed to listeners in-process (the service
 * subscribes); tests can also post them to `POST /webhooks/simulated`.
 */
export class SimulatedWebhooks {
  private readonly secret = randomBytes(32).toString("hex");
  private readonly listeners: NotificationListener[] = [];

  /** The service's receiver; each notification is handed to every listener. */
  listen(listener: NotificationListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  /** Signs a notification and hands it to the listeners; resolves once they have handled it. */
  async send(event: UnsentNotification): Promise<SignedNotification> {
    const signed = this.sign({ id: `evt_sim_${randomBytes(8).toString("hex")}`, ...event } as ProviderEvent);
    await Promise.all(this.listeners.map((listener) => listener(signed)));
    return signed;
  }

  /** Signs a body at `at` (seconds since the epoch). */
  sign(event: ProviderEvent, at = Math.floor(Date.now() / 1000)): SignedNotification {
    const body = JSON.stringify(event);
    return { body, signature: `t=${at},v1=${this.hmac(at, body)}` };
  }

  verify(rawBody: Buffer, header: string | undefined): ProviderEvent {
    const parts = new Map((header ?? "").split(",").map((part) => part.split("=", 2) as [string, string]));
    const at = Number(parts.get("t"));
    const given = Buffer.from(parts.get("v1") ?? "", "hex");
    const expected = Buffer.from(this.hmac(at, rawBody.toString("utf8")), "hex");
    if (!Number.isInteger(at) || given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new WebhookSignatureError("the signature does not match the body");
    if (Math.abs(Date.now() / 1000 - at) > toleranceSeconds)
      throw new WebhookSignatureError("the signature is too old (or from the future)");
    const parsed = notification.safeParse(JSON.parse(rawBody.toString("utf8")));
    if (!parsed.success) throw new WebhookSignatureError("the body is not a notification");
    return parsed.data;
  }

  private hmac(at: number, body: string): string {
    return createHmac("sha256", this.secret).update(`${at}.${body}`).digest("hex");
  }
}
