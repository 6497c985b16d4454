import { randomBytes } from "node:crypto";
import {
  ProviderRejectedError,
  TransientProviderError,
  type CaptureRequest,
  type CardDescription,
  type NotFound,
  type PaymentLookup,
  type PaymentProvider,
  type PaymentState,
  type ProviderEvent,
  type RefundLookup,
  type RefundRequest,
  type RefundResult,
  type SetupStarted,
} from "../paymentProvider";
import { SimulatedWebhooks, type NotificationListener, type SignedNotification } from "./simulatedWebhooks";
import { behaviourOf, cardOf, savedMethodReference, tokenOfSavedMethod } from "./testCards";

/** What the simulated provider's payment references look like (`ch_` and 16 hex digits). */
const captureReferencePattern = /^ch_[0-9a-f]{16}$/;

/** Why the simulated provider refuses refunds of a `tok_refund_refused` capture (as a real provider answers for a closed card). */
export const refundRefusedReason = "expired_or_canceled_card";

/** One call the provider was asked, as its dashboard would show it. */
export interface ProviderLogEntry {
  kind: "capture" | "refund" | "cancel";
  idempotencyKey: string;
  amountMinor: bigint;
  /** For a refund or a cancellation: the payment it named. */
  captureReference?: string;
  result: string;
}

interface SimulatedPayment {
  reference: string;
  paymentId: string;
  amountMinor: bigint;
  token: string;
  state: PaymentState;
}

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/**
 * A payment provider that decides by token, as card networks' test cards do (see `behaviourOf`;
 * a saved card decides as the token it was saved from). It honours idempotency keys like a real
 * provider (a repeated key gets the first answer), finds payments and refunds again by their
 * metadata, waits for the customer's authentication on `tok_3ds_required` until a test completes
 * or abandons it (`completeAction`), saves cards (`completeSetup`), and notifies the service as a
 * real provider's signed webhooks do. It keeps a log of what it was asked, which tests read.
 *
 * Tests control when captures answer with `holdCaptures()`: until the returned function is
 * called, every capture is under way (`isCapturing`) and does not answer, so an order can be
 * cancelled or time out while its capture is under way, without racing a clock.
 *
 * Like an external provider, which keeps its own records, it refunds any well-formed capture
 * reference it issues (`ch_…`), also one captured by another process; the payments service
 * bounds what is refunded by what was captured. A malformed reference, a refund that would exceed
 * a capture this process made, or one of a `tok_refund_refused` capture is a
 * `ProviderRejectedError` (never retried).
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly name = "simulated" as const;
  readonly signatureHeader = "simulated-signature";
  /** The first answer to each capture key, which a repeated key gets again. */
  private readonly answers = new Map<string, PaymentState>();
  /** Captures under way, by idempotency key: a repeated key waits for the same answer. */
  private readonly capturesUnderWay = new Map<string, Promise<PaymentState>>();
  private readonly payments = new Map<string, SimulatedPayment>();
  private readonly paymentsById = new Map<string, SimulatedPayment>();
  private readonly refunds = new Map<string, RefundResult>();
  private readonly refundsById = new Map<string, RefundResult>();
  private readonly callsByKey = new Map<string, number>();
  private readonly refundedByReference = new Map<string, bigint>();
  private readonly customers = new Map<string, string>();
  private readonly setups = new Map<string, SetupStarted & { customerReference: string }>();
  private readonly detached = new Set<string>();
  private readonly webhooks = new SimulatedWebhooks();
  /** Holds on captures not yet released, and what captures wait for while there are any. */
  private holds = 0;
  private released: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Every call, in order: what a provider's dashboard would show. */
  readonly log: ProviderLogEntry[] = [];

  /**
   * Holds every capture (under way or asked for later) until the returned function is called:
   * a test's gate on when the provider answers. Holds nest; calling the release again does nothing.
   */
  holdCaptures(): () => void {
    this.holds += 1;
    if (!this.released) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.released = { promise, resolve };
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.holds -= 1;
      if (this.holds > 0 || !this.released) return;
      const { resolve } = this.released;
      this.released = undefined;
      resolve();
    };
  }

  async capture(request: CaptureRequest): Promise<PaymentState> {
    const key = request.idempotencyKey;
    const calls = (this.callsByKey.get(key) ?? 0) + 1;
    this.callsByKey.set(key, calls);
    const entry = { kind: "capture" as const, idempotencyKey: key, amountMinor: request.amountMinor };
    const previous = this.answers.get(key);
    if (previous) {
      this.log.push({ ...entry, result: `replayed ${previous.status}` });
      return previous;
    }
    const underWay = this.capturesUnderWay.get(key);
    if (underWay) return underWay;
    const deciding = this.untilReleased()
      .then(() => this.decide(request, calls))
      .then((state) => {
        this.log.push({ ...entry, result: state.status });
        this.answers.set(key, state);
        return state;
      });
    this.capturesUnderWay.set(key, deciding);
    try {
      return await deciding;
    } finally {
      this.capturesUnderWay.delete(key);
    }
  }

  findPayment(request: PaymentLookup): Promise<PaymentState | NotFound> {
    const payment =
      (request.reference ? this.payments.get(request.reference) : undefined) ??
      this.paymentsById.get(request.metadata.paymentId);
    return Promise.resolve(payment ? payment.state : { status: "not_found" });
  }

  async cancelPayment(request: { reference: string; idempotencyKey: string }): Promise<PaymentState> {
    const payment = this.payments.get(request.reference);
    const entry = {
      kind: "cancel" as const,
      idempotencyKey: request.idempotencyKey,
      captureReference: request.reference,
    };
    if (!payment) {
      this.log.push({ ...entry, amountMinor: 0n, result: "refused: no such payment" });
      throw new ProviderRejectedError(`simulated provider: no payment ${request.reference}`);
    }
    if (payment.state.status === "captured") {
      this.log.push({ ...entry, amountMinor: payment.amountMinor, result: "refused: already captured" });
      throw new ProviderRejectedError(`simulated provider: ${request.reference} is captured and cannot be cancelled`);
    }
    if (payment.state.status !== "canceled") {
      payment.state = { status: "canceled", reference: payment.reference };
      this.log.push({ ...entry, amountMinor: payment.amountMinor, result: "canceled" });
      await this.webhooks.send({ kind: "payment", paymentId: payment.paymentId, state: payment.state });
    }
    return payment.state;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const previous = this.refunds.get(request.idempotencyKey);
    if (previous) return previous;
    const reference = request.captureReference;
    if (!captureReferencePattern.test(reference)) {
      throw new ProviderRejectedError(`simulated provider: ${JSON.stringify(reference)} is not a capture reference`);
    }
    const entry = {
      kind: "refund" as const,
      idempotencyKey: request.idempotencyKey,
      amountMinor: request.amountMinor,
      captureReference: reference,
    };
    const refuse = (reason: string) => {
      this.log.push({ ...entry, result: `refused: ${reason}` });
      return new ProviderRejectedError(`simulated provider: refund of ${reference} refused: ${reason}`);
    };
    const payment = this.payments.get(reference);
    if (request.amountMinor <= 0n) throw refuse("a refund must be of more than 0");
    if (payment?.token === "tok_refund_refused") throw refuse(refundRefusedReason);
    if (payment && payment.state.status !== "captured") throw refuse("the payment was not captured");
    const refunded = (this.refundedByReference.get(reference) ?? 0n) + request.amountMinor;
    if (payment && refunded > payment.amountMinor) throw refuse("refunds would exceed what it captured");
    this.refundedByReference.set(reference, refunded);
    const result: RefundResult = { status: "refunded", reference: `re_${hex(8)}` };
    this.refunds.set(request.idempotencyKey, result);
    this.refundsById.set(request.metadata.refundId, result);
    this.log.push({ ...entry, result: "refunded" });
    return result;
  }

  findRefund(request: RefundLookup): Promise<RefundResult | NotFound> {
    return Promise.resolve(this.refundsById.get(request.metadata.refundId) ?? { status: "not_found" });
  }

  createCustomer(request: { customerId: string; idempotencyKey: string }): Promise<{ reference: string }> {
    const reference = this.customers.get(request.idempotencyKey) ?? `cus_sim_${hex(8)}`;
    this.customers.set(request.idempotencyKey, reference);
    return Promise.resolve({ reference });
  }

  createSetup(request: { customerReference: string; idempotencyKey: string }): Promise<SetupStarted> {
    const existing = this.setups.get(request.idempotencyKey);
    if (existing) return Promise.resolve({ reference: existing.reference, clientSecret: existing.clientSecret });
    const reference = `seti_sim_${hex(8)}`;
    const setup = {
      reference,
      clientSecret: `${reference}_secret_${hex(12)}`,
      customerReference: request.customerReference,
    };
    this.setups.set(request.idempotencyKey, setup);
    this.setups.set(reference, setup);
    return Promise.resolve({ reference, clientSecret: setup.clientSecret });
  }

  describeMethod(methodReference: string): Promise<CardDescription> {
    const token = tokenOfSavedMethod(methodReference);
    if (!token || this.detached.has(methodReference))
      return Promise.reject(new ProviderRejectedError(`simulated provider: no payment method ${methodReference}`));
    return Promise.resolve(cardOf(token));
  }

  detachMethod(methodReference: string): Promise<void> {
    this.detached.add(methodReference);
    return Promise.resolve();
  }

  verifyWebhook(rawBody: Buffer, signature: string | undefined): ProviderEvent {
    return this.webhooks.verify(rawBody, signature);
  }

  /** The service's receiver of this provider's notifications (it verifies and applies them). */
  onNotification(listener: NotificationListener): () => void {
    return this.webhooks.listen(listener);
  }

  /** Signs a notification without sending it (tests post it to the webhook route themselves). */
  signNotification(event: ProviderEvent, at?: number): SignedNotification {
    return this.webhooks.sign(event, at);
  }

  /**
   * The customer completes (or fails) the authentication of a payment that requires action, as
   * they would in the bank's window; the provider then notifies the service. Resolves once the
   * service has handled the notification.
   */
  async completeAction(
    reference: string,
    outcome: "succeeded" | "failed",
    options: { notify?: boolean } = {},
  ): Promise<void> {
    const payment = this.payments.get(reference);
    if (payment?.state.status !== "requires_action")
      throw new Error(`simulated provider: ${reference} is not waiting for the customer`);
    payment.state =
      outcome === "succeeded"
        ? { status: "captured", reference }
        : {
            status: "declined",
            reference,
            reason: "authentication_failed",
            detail: "3-D Secure authentication failed",
          };
    this.log.push({
      kind: "capture",
      idempotencyKey: `action:${reference}`,
      amountMinor: payment.amountMinor,
      captureReference: reference,
      result: outcome === "succeeded" ? "captured" : "declined",
    });
    if (options.notify !== false)
      await this.webhooks.send({ kind: "payment", paymentId: payment.paymentId, state: payment.state });
  }

  /** The customer enters a card (a token) in the provider's setup form; the card is saved and the service notified. */
  async completeSetup(setupReference: string, token: string): Promise<string> {
    const setup = this.setups.get(setupReference);
    if (!setup) throw new Error(`simulated provider: no setup ${setupReference}`);
    const methodReference = savedMethodReference(hex(4), token);
    await this.webhooks.send({
      kind: "setup",
      setupReference,
      customerReference: setup.customerReference,
      methodReference,
    });
    return methodReference;
  }

  /** Successful captures made with this idempotency key (a provider charges at most once per key). */
  capturesFor(idempotencyKey: string): number {
    return this.log.filter(
      (entry) => entry.kind === "capture" && entry.idempotencyKey === idempotencyKey && entry.result === "captured",
    ).length;
  }

  /** Whether a capture with this idempotency key has been asked for and not yet answered. */
  isCapturing(idempotencyKey: string): boolean {
    return this.capturesUnderWay.has(idempotencyKey);
  }

  /** Where the payment with this reference stands (tests check a cancelled intent). */
  stateOf(reference: string): PaymentState["status"] | undefined {
    return this.payments.get(reference)?.state.status;
  }

  /** The service's payment a reference of this provider belongs to. */
  paymentIdOf(reference: string): string | undefined {
    return this.payments.get(reference)?.paymentId;
  }

  /** Where each payment this provider holds for the service's payment stands (at most one: one key a payment). */
  statesOfPayment(paymentId: string): Array<PaymentState["status"]> {
    const payment = this.paymentsById.get(paymentId);
    return payment ? [payment.state.status] : [];
  }

  /** Resolves at once unless captures are held; then when the last hold is released. */
  private async untilReleased(): Promise<void> {
    while (this.released) await this.released.promise;
  }

  private decide(request: CaptureRequest, calls: number): PaymentState {
    const token =
      request.source.kind === "token" ? request.source.token : tokenOfSavedMethod(request.source.methodReference);
    if (!token || (request.source.kind === "saved" && this.detached.has(request.source.methodReference)))
      return { status: "declined", reference: null, reason: "payment_method_unavailable", detail: "no such method" };
    const behaviour = behaviourOf(token);
    if (behaviour.kind === "unreachable") throw new TransientProviderError("simulated provider: connection refused");
    if (behaviour.kind === "flaky" && calls === 1)
      throw new TransientProviderError("simulated provider: gateway timeout");
    if (behaviour.kind === "decline")
      return { status: "declined", reference: null, reason: behaviour.reason, detail: behaviour.reason };
    const reference = `ch_${hex(8)}`;
    const state: PaymentState =
      behaviour.kind === "requires_action"
        ? {
            status: "requires_action",
            reference,
            action: {
              type: "REDIRECT",
              clientSecret: `${reference}_secret_${hex(12)}`,
              redirectUrl: `https://simulated-provider.invalid/authenticate/${reference}`,
            },
          }
        : { status: "captured", reference };
    const payment = {
      reference,
      paymentId: request.metadata.paymentId,
      amountMinor: request.amountMinor,
      token,
      state,
    };
    this.payments.set(reference, payment);
    this.paymentsById.set(payment.paymentId, payment);
    return state;
  }
}
