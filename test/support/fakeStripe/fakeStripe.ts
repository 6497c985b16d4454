import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, randomBytes } from "node:crypto";
import Stripe from "stripe";
import { FakeStripeAccount, stripeError, type Answer } from "./account";
import { parseForm } from "./formBody";
import type { testCards } from "./testCards";

/** One request the fake answered, as Stripe's dashboard logs it. */
export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  params: Record<string, unknown>;
  status: number;
  /** Answered from the idempotency record of an earlier request with the same key. */
  replayed: boolean;
}

/** What a test can make the next matching requests suffer. */
export type Fault =
  /** Refused before anything is done: a rate limit (`rate_limit`), or a lock timeout Stripe asks to retry. */
  | { kind: "rate_limited" }
  | { kind: "lock_timeout" }
  | { kind: "server_error" }
  /** Done and recorded, then never answered: the client times out, as after a lost response. */
  | { kind: "timeout_after_executing" }
  /**
   * A confirmation the issuer answers with a soft decline asking for authentication, as Stripe
   * answers an off-session payment with a card that needs 3-D Secure: 402 `authentication_required`.
   */
  | { kind: "soft_decline" };

interface Planned {
  fault: Fault;
  method?: string;
  path?: RegExp;
  times: number;
}

interface Delivery {
  eventId: string;
  type: string;
  status: number | "failed";
}

/**
 * A local HTTP server that answers the subset of Stripe's API the payments service uses, as
 * Stripe documents it, for the real `stripe` SDK pointed at it (`host`, `port`, `protocol`):
 *
 * - form-encoded requests with bracketed keys, `Authorization: Bearer <secret key>` (401 otherwise);
 * - PaymentIntents (create and confirm, retrieve, search by metadata, cancel), refunds (create,
 *   list by intent), Customers, SetupIntents, PaymentMethods (from tokens, retrieve, detach), with
 *   Stripe's test cards and tokens (`pm_card_visa`, `pm_card_visa_chargeDeclined`,
 *   `pm_card_threeDSecure2Required`, `tok_visa`…: ./testCards.ts);
 * - errors as `{ error: { type, code, decline_code, message, param, payment_intent } }` with
 *   Stripe's statuses (402 for a declined card, 404 for an unknown object, 400 otherwise);
 * - `Idempotency-Key`: a repeated key with the same parameters gets the saved answer again
 *   (`Idempotent-Replayed: true`), with other parameters 400 `idempotency_error`; a request
 *   refused before it executed (a rate limit) saves nothing;
 * - events, delivered as webhooks signed with `stripe.webhooks.generateTestHeaderString` to the
 *   endpoint set by `deliverWebhooksTo`;
 * - what Stripe.js asks from a shopper's browser with the publishable key (the `key` parameter,
 *   in the form body or the query, as Stripe.js sends it; answered with
 *   `Access-Control-Allow-Origin`): a PaymentMethod from a test card number
 *   (`POST /v1/payment_methods`), a PaymentIntent by its client secret (`GET
 *   /v1/payment_intents/:id?client_secret=…`), and the bank's 3-D Secure challenge answered
 *   (`POST /v1/3ds2/authenticate`, the fake's stand-in for the page Stripe.js shows). Anything else
 *   with the publishable key is refused, as Stripe refuses it.
 *
 * Tests steer it: `failNext` (429s, 500s, a response lost after the work was done), `hold`
 * (requests wait until released), `completeAction` and `completeSetup` (what the customer does in
 * Stripe.js), and read `requests`, `deliveries` and `account`.
 */
export class FakeStripe {
  readonly secretKey = `sk_test_fake${randomBytes(12).toString("hex")}`;
  readonly webhookSecret = `whsec_fake${randomBytes(16).toString("hex")}`;
  /** What Stripe.js is given in the browser; it reaches only what a shopper's browser may. */
  readonly publishableKey = `pk_test_fake${randomBytes(12).toString("hex")}`;
  readonly requests: RecordedRequest[] = [];
  readonly deliveries: Delivery[] = [];
  readonly account = new FakeStripeAccount((type, object) => this.queueEvent(type, object));
  private readonly server: http.Server;
  private readonly idempotency = new Map<string, { fingerprint: string; answer: Answer }>();
  /** Idempotency keys of requests being executed: another request with one of them is 409. */
  private readonly keysInFlight = new Set<string>();
  /** Requests waiting on a hold. */
  private readonly held = new Set<{ method: string; path: string; idempotencyKey: string | null }>();
  private readonly planned: Planned[] = [];
  private readonly holds: Array<{ method?: string; path?: RegExp; released: Promise<void> }> = [];
  private readonly pendingDeliveries = new Set<Promise<void>>();
  private webhookUrl: string | undefined;

  private constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  static async start(): Promise<FakeStripe> {
    const fake = new FakeStripe();
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The payments service's settings for this fake (the SDK pointed at it over plain HTTP). */
  settings(): Record<string, string> {
    return {
      PAYMENT_PROVIDER: "stripe",
      STRIPE_SECRET_KEY: this.secretKey,
      STRIPE_WEBHOOK_SECRET: this.webhookSecret,
      STRIPE_PUBLISHABLE_KEY: this.publishableKey,
      STRIPE_API_HOST: "127.0.0.1",
      STRIPE_API_PORT: String(this.port),
      STRIPE_API_PROTOCOL: "http",
    };
  }

  /** Where events go from now on (the payments service's `/webhooks/stripe`). */
  deliverWebhooksTo(url: string | undefined): void {
    this.webhookUrl = url;
  }

  /** The next `times` requests matching `method` and `path` suffer `fault`. */
  failNext(fault: Fault, match: { method?: string; path?: RegExp; times?: number } = {}): void {
    this.planned.push({ fault, method: match.method, path: match.path, times: match.times ?? 1 });
  }

  /** Requests matching `method` and `path` wait, unanswered, until the returned function is called. */
  hold(match: { method?: string; path?: RegExp }): () => void {
    let release!: () => void;
    const hold = { ...match, released: new Promise<void>((resolve) => (release = resolve)) };
    this.holds.push(hold);
    return () => {
      this.holds.splice(this.holds.indexOf(hold), 1);
      release();
    };
  }

  /** Whether a request with this idempotency key is being held right now. */
  isHolding(idempotencyKey: string): boolean {
    return [...this.held].some((request) => request.idempotencyKey === idempotencyKey);
  }

  /** Forgets the faults planned and not yet suffered. */
  clearFaults(): void {
    this.planned.length = 0;
  }

  completeAction(intentId: string, outcome: "succeeded" | "failed") {
    return this.account.completeAction(intentId, outcome);
  }

  completeSetup(setupId: string, card: keyof typeof testCards = "pm_card_visa") {
    return this.account.completeSetup(setupId, card);
  }

  /** The intents made for a payment (by the payment id in their metadata). */
  intentsOf(paymentId: string): Array<Record<string, unknown>> {
    return [...this.account.intents.values()].filter(
      (intent) => (intent.metadata as Record<string, string>).payment_id === paymentId,
    );
  }

  /** Resolves once every webhook queued so far has been delivered (or failed). */
  async webhooksDelivered(): Promise<void> {
    while (this.pendingDeliveries.size > 0) await Promise.all([...this.pendingDeliveries]);
  }

  /** Signs an event's body as Stripe does, with this endpoint's secret (for tests that post webhooks themselves). */
  signature(payload: string, timestamp?: number): string {
    return Stripe.webhooks.generateTestHeaderString({ payload, secret: this.webhookSecret, timestamp });
  }

  /** An event object as Stripe sends it. */
  event(type: string, object: Record<string, unknown>): Record<string, unknown> {
    return {
      id: `evt_${randomBytes(12).toString("hex")}`,
      object: "event",
      api_version: "2026-10-28.endive",
      created: Math.floor(Date.now() / 1000),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  async close(): Promise<void> {
    await this.webhooksDelivered();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private queueEvent(type: string, object: Record<string, unknown>): void {
    const url = this.webhookUrl;
    if (!url) return;
    // Stripe sends webhooks on their own, after the API has answered.
    const payload = JSON.stringify(this.event(type, object));
    const delivery: Delivery = { eventId: (JSON.parse(payload) as { id: string }).id, type, status: "failed" };
    const sending = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() =>
        fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "stripe-signature": this.signature(payload) },
          body: payload,
        }),
      )
      .then((response) => void (delivery.status = response.status))
      .catch(() => undefined)
      .finally(() => {
        this.deliveries.push(delivery);
        this.pendingDeliveries.delete(sending);
      });
    this.pendingDeliveries.add(sending);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://fake-stripe");
    const method = req.method ?? "GET";
    const params =
      method === "GET" ? parseForm(url.search.slice(1)) : parseForm(Buffer.concat(chunks).toString("utf8"));
    const key = typeof req.headers["idempotency-key"] === "string" ? req.headers["idempotency-key"] : null;
    const record = (status: number, replayed = false) =>
      this.requests.push({ method, path: url.pathname, idempotencyKey: key, params, status, replayed });
    const send = (answer: Answer, headers: Record<string, string> = {}) => {
      res.writeHead(answer.status, {
        "content-type": "application/json",
        "request-id": `req_${randomBytes(7).toString("hex")}`,
        ...headers,
      });
      res.end(JSON.stringify(answer.body));
    };

    if (params.key === this.publishableKey && req.headers.authorization === undefined) {
      const answer = this.routeClient(method, url, params);
      record(answer.status);
      return send(answer, { "access-control-allow-origin": "*" });
    }
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      record(401);
      return send(
        stripeError(401, { type: "invalid_request_error", message: "Invalid API Key provided: sk_test_****" }),
      );
    }
    const fault = this.takeFault(method, url.pathname);
    if (fault && fault.kind !== "timeout_after_executing" && fault.kind !== "soft_decline") {
      const answers = {
        rate_limited: stripeError(429, {
          type: "invalid_request_error",
          code: "rate_limit",
          message: "Request rate limit exceeded.",
        }),
        lock_timeout: stripeError(429, {
          type: "invalid_request_error",
          code: "lock_timeout",
          message:
            "This object cannot be accessed right now because another API request or Stripe process is currently accessing it.",
        }),
        server_error: stripeError(500, { type: "api_error", message: "An unknown error occurred" }),
      };
      record(answers[fault.kind].status);
      return send(answers[fault.kind], fault.kind === "lock_timeout" ? { "stripe-should-retry": "true" } : {});
    }
    if (key && method === "POST" && this.keysInFlight.has(key)) {
      const conflict = stripeError(409, {
        type: "idempotency_error",
        code: "idempotency_key_in_use",
        message: "There is currently another in-progress request using this Stripe API key and idempotency key.",
      });
      record(conflict.status);
      return send(conflict);
    }
    if (key && method === "POST") this.keysInFlight.add(key);
    let answer: Answer;
    let replayed = false;
    try {
      const held = { method, path: url.pathname, idempotencyKey: key };
      this.held.add(held);
      try {
        for (const hold of this.holds.filter((each) => matches(each, method, url.pathname))) await hold.released;
      } finally {
        this.held.delete(held);
      }
      const fingerprint = createHash("sha256")
        .update(`${method} ${url.pathname} ${JSON.stringify(params)}`)
        .digest("hex");
      const saved = key && method === "POST" ? this.idempotency.get(key) : undefined;
      if (saved && saved.fingerprint !== fingerprint) {
        answer = stripeError(400, {
          type: "idempotency_error",
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      } else if (saved) {
        answer = saved.answer;
        replayed = true;
      } else {
        // A soft decline is the issuer's doing, not the request's: the saved request is the one sent.
        answer = this.route(method, url, fault?.kind === "soft_decline" ? { ...params, off_session: "true" } : params);
        if (key && method === "POST") this.idempotency.set(key, { fingerprint, answer });
      }
    } finally {
      if (key) this.keysInFlight.delete(key);
    }
    record(answer.status, replayed);
    if (fault?.kind === "timeout_after_executing") {
      // The work is done and saved; the answer is lost: the client gives up waiting.
      await new Promise<void>((resolve) => req.socket.once("close", resolve));
      return;
    }
    send(answer, replayed ? { "idempotent-replayed": "true" } : {});
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const plan = this.planned.find((each) => matches(each, method, path));
    if (!plan) return undefined;
    plan.times -= 1;
    if (plan.times <= 0) this.planned.splice(this.planned.indexOf(plan), 1);
    return plan.fault;
  }

  /** What Stripe.js may do with the publishable key, from a shopper's browser. */
  private routeClient(method: string, url: URL, params: Record<string, ReturnType<typeof parseForm>[string]>): Answer {
    const path = url.pathname;
    const account = this.account;
    const intentId = /^\/v1\/payment_intents\/([^/]+)$/.exec(path)?.[1];
    if (method === "POST" && path === "/v1/payment_methods") return account.createPaymentMethod(params);
    if (method === "GET" && intentId) return account.retrievePaymentIntentAsClient(intentId, params.client_secret);
    if (method === "POST" && path === "/v1/3ds2/authenticate") return account.authenticate(params);
    return stripeError(401, {
      type: "invalid_request_error",
      message: "This API call cannot be made with a publishable API key. Please use a secret API key.",
    });
  }

  private route(method: string, url: URL, params: Record<string, ReturnType<typeof parseForm>[string]>): Answer {
    const path = url.pathname;
    const account = this.account;
    const id = (pattern: RegExp) => pattern.exec(path)?.[1];
    if (method === "POST" && path === "/v1/payment_intents") return account.createPaymentIntent(params);
    if (method === "GET" && path === "/v1/payment_intents/search")
      return account.searchPaymentIntents(url.searchParams.get("query") ?? "");
    if (method === "POST" && id(/^\/v1\/payment_intents\/([^/]+)\/cancel$/))
      return account.cancelPaymentIntent(id(/^\/v1\/payment_intents\/([^/]+)\/cancel$/)!, params);
    if (method === "GET" && id(/^\/v1\/payment_intents\/([^/]+)$/))
      return account.retrievePaymentIntent(id(/^\/v1\/payment_intents\/([^/]+)$/)!);
    if (method === "POST" && path === "/v1/refunds") return account.createRefund(params);
    if (method === "GET" && path === "/v1/refunds")
      return account.listRefunds(
        url.searchParams.get("payment_intent") ?? undefined,
        Number(url.searchParams.get("limit") ?? 10),
      );
    if (method === "POST" && path === "/v1/customers") return account.createCustomer(params);
    if (method === "POST" && path === "/v1/setup_intents") return account.createSetupIntent(params);
    if (method === "GET" && id(/^\/v1\/setup_intents\/([^/]+)$/))
      return account.retrieveSetupIntent(id(/^\/v1\/setup_intents\/([^/]+)$/)!);
    if (method === "POST" && path === "/v1/payment_methods") return account.createPaymentMethod(params);
    if (method === "POST" && id(/^\/v1\/payment_methods\/([^/]+)\/detach$/))
      return account.detachPaymentMethod(id(/^\/v1\/payment_methods\/([^/]+)\/detach$/)!);
    if (method === "GET" && id(/^\/v1\/payment_methods\/([^/]+)$/))
      return account.retrievePaymentMethod(id(/^\/v1\/payment_methods\/([^/]+)$/)!);
    return stripeError(404, {
      type: "invalid_request_error",
      message: `Unrecognized request URL (${method}: ${path}).`,
    });
  }
}

function matches(match: { method?: string; path?: RegExp }, method: string, path: string): boolean {
  return (!match.method || match.method === method) && (!match.path || match.path.test(path));
}
