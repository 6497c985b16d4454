import { TransientProviderError, type PaymentState } from "../provider/paymentProvider";
import { writeCaptureAnswers, type BegunCapture, type CaptureWrite } from "../store/captureBatchSql";
import { askToCapture, settleCapture } from "./captures";
import type { PaymentsDependencies } from "./dependencies";
import { captureKeyOf, emitCaptureOutcome, eventOfState, settlementOf } from "./paymentSettlement";
import { takeEmitted, withdrawEmitted } from "../../common/events/unitOfWork";
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
 * a crash gets the first answer), and their answers written with their events in one statement
 * and no transaction. What the batch write cannot take (a transient failure, an answer that needs a
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
  const plain = answered.flatMap((each) => (each.plain ? [{ begun: each.begun, ...each.plain }] : []));
  let written = new Set<string>();
  if (plain.length > 0) {
    const unitOfWork = deps.sqlUnitOfWork ?? deps.unitOfWork;
    written = await unitOfWork(
      async (db, emit) => {
        // Each payment's events are told before the statement, of the payment as the write
        // leaves it (as taken, with the change: it is written only if unchanged since), and the
        // statement writes them only with the payment; those of a payment left out are withdrawn.
        const told = plain.map(({ begun: { payment }, event, decision, write }) => {
          emitCaptureOutcome(emit, event, { decision, payment: { ...payment, ...write.change } });
          return { paymentId: payment.id, events: takeEmitted(emit) };
        });
        const saved = await writeCaptureAnswers(
          db,
          plain.map((each) => each.write),
          told,
        );
        withdrawEmitted(
          emit,
          told.filter((each) => !saved.has(each.paymentId)).flatMap((each) => each.events),
        );
        return saved;
      },
      { singleStatement: true },
    );
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
