import { TransientProviderError, type PaymentState } from "../provider/paymentProvider";
import { writeCaptureAnswers, type BegunCapture, type CaptureWrite } from "../store/captureBatchSql";
import { askToCapture, settleCapture } from "./captures";
import type { PaymentsDependencies } from "./dependencies";
import { captureKeyOf, emitCaptureOutcome, eventOfState, settlementOf } from "./paymentSettlement";
import { planPaymentEvent, type AppliedEvent, type PaymentEvent } from "./paymentTransitions";

/** A capture whose answer came back, with what it does to the payment as it was taken. */
interface Answered {
  begun: BegunCapture;
  answer: PaymentState | TransientProviderError;
  /** The write and events of a plain answer to a payment still as it was taken; none for the others. */
  plain?: { write: CaptureWrite; event: PaymentEvent; decision: AppliedEvent["decision"] };
}

/**
 * The due captures the worker took (`claimPaymentWork`, with the record of each call), asked of
 * the provider all at once (each under its payment's own key, so a call repeated after
 * a crash gets the first answer), and their answers written in one transaction of one statement
 * and the events. What the batch write cannot take (a transient failure, an answer that needs a
 * refund or a void, a payment changed since it was taken: cancelled, closed by its window) is
 * settled on its own as `attemptCapture` settles it. A capture that failed unexpectedly is logged
 * and taken again when its lease ends.
 */
export async function captureBegun(deps: PaymentsDependencies, begun: readonly BegunCapture[]): Promise<void> {
  if (begun.length === 0) return;
  const asked = await Promise.allSettled(begun.map((each) => askToCapture(deps, each.payment)));
  const answered: Answered[] = [];
  asked.forEach((result, index) => {
    const each = begun[index]!;
    if (result.status === "fulfilled") answered.push(plainAnswer(deps, each, result.value));
    else logFailure(deps, each.payment.id, result.reason);
  });
  const plain = answered.filter((each) => each.plain);
  const written = new Set<string>();
  if (plain.length > 0) {
    const unitOfWork = deps.sqlUnitOfWork ?? deps.unitOfWork;
    await unitOfWork(async (tx, emit) => {
      const saved = await writeCaptureAnswers(
        tx,
        plain.map((each) => each.plain!.write),
      );
      const byId = new Map(saved.map((payment) => [payment.id, payment]));
      for (const each of plain) {
        const payment = byId.get(each.begun.payment.id);
        if (!payment) continue;
        written.add(payment.id);
        emitCaptureOutcome(emit, each.plain!.event, { decision: each.plain!.decision, payment });
      }
    });
  }
  await Promise.all(
    answered
      .filter((each) => !written.has(each.begun.payment.id))
      .map((each) =>
        settleCapture(deps, each.begun.payment.id, each.begun.attemptId, each.answer).catch((error: unknown) =>
          logFailure(deps, each.begun.payment.id, error),
        ),
      ),
  );
}

/**
 * An answer the batch write takes: final or waiting (never a transient failure), to a payment
 * that is PENDING as taken, whose decision asks for no refund and no void (a PENDING payment's
 * never does). It is what `settlePayment` writes for it, computed from the payment as taken.
 */
function plainAnswer(
  deps: PaymentsDependencies,
  begun: BegunCapture,
  answer: PaymentState | TransientProviderError,
): Answered {
  const { payment, attemptId } = begun;
  if (answer instanceof TransientProviderError || payment.status !== "PENDING") return { begun, answer };
  const event = eventOfState(answer, true);
  const planned = planPaymentEvent(payment, event);
  if (!planned || planned.decision.refund || planned.decision.voidAtProvider) return { begun, answer };
  const settlement = settlementOf(answer, false, deps.reconcileAfterMs);
  const final = settlement.outcome === "SUCCEEDED" || settlement.outcome === "DECLINED";
  const write: CaptureWrite = {
    paymentId: payment.id,
    seenAt: payment.updatedAt,
    change: planned.change,
    attemptId,
    openKey: final ? captureKeyOf(payment.id) : null,
    settlement,
  };
  return { begun, answer, plain: { write, event, decision: planned.decision } };
}

function logFailure(deps: PaymentsDependencies, paymentId: string, error: unknown): void {
  const err = error instanceof Error ? error.message : String(error);
  deps.logger.error({ paymentId, err }, "a capture failed unexpectedly; it is tried again when its lease ends");
}
