import { createHash } from "node:crypto";
import { BadUserInputError, ConflictError } from "../../common/errors";
import { toMoney } from "../../common/money";
import type { PaymentsTx } from "../store/database";
import { findLinesLeft, findRefundByRequestKey, insertRefund } from "../store/refundLedgerStore";
import type { PaymentRecord, RefundRecord } from "../store/records";
import { capToLines, spreadAmount, totalLeft, type LineAmount } from "./refundLedger";

/** What a refund request asks: an amount (null: all that is left), or amounts line by line. */
export type RefundAsk =
  { kind: "amount"; amountMinor: bigint | null } | { kind: "lines"; lines: readonly LineAmount[] };

export interface RefundRequest {
  idempotencyKey: string;
  ask: RefundAsk;
  reason: string | null;
}

export type RefundRequestOutcome =
  | { kind: "created"; refund: RefundRecord }
  /** The key was used before for this same request: its refund, made once. */
  | { kind: "existing"; refund: RefundRecord }
  /** Nothing is left to refund of what was asked. */
  | { kind: "nothing-left" };

/** The request's fingerprint: the same key must come with the same ask. */
export function requestHashOf(ask: RefundAsk): string {
  const canonical =
    ask.kind === "amount"
      ? { amount: ask.amountMinor === null ? "rest" : ask.amountMinor.toString() }
      : {
          lines: [...ask.lines]
            .sort((a, b) => a.lineId.localeCompare(b.lineId))
            .map((line) => [line.lineId, line.amountMinor.toString()]),
        };
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

/** Whether a payment holds captured money that refunds can take from. */
export const isRefundable = (payment: PaymentRecord) =>
  payment.status === "SUCCEEDED" || payment.status === "PARTIALLY_REFUNDED";

/**
 * Records a refund of a payment from the ledger, once per idempotency key. Call it holding the
 * order's payment lock (`lockOrderPayments`), so requests of one order are decided one at a
 * time against what each line has left: whatever their number and order, refunds never take
 * more than a line paid, nor the payment more than it captured. The same key with another ask is
 * CONFLICT; an amount beyond what is left is BAD_USER_INPUT (`amount`); amounts line by line are
 * capped at what each line has left.
 */
export async function requestRefund(
  tx: PaymentsTx,
  payment: PaymentRecord,
  request: RefundRequest,
  options: { leasedForMs?: number } = {},
): Promise<RefundRequestOutcome> {
  const requestHash = requestHashOf(request.ask);
  const existing = await findRefundByRequestKey(tx, payment.id, request.idempotencyKey);
  if (existing) {
    if (existing.requestHash !== requestHash)
      throw new ConflictError("This idempotency key was used for another refund request.");
    return { kind: "existing", refund: existing };
  }
  const left = isRefundable(payment) ? await findLinesLeft(tx, payment.id) : [];
  let lines: LineAmount[];
  if (request.ask.kind === "lines") {
    lines = capToLines(request.ask.lines, left);
  } else {
    const amount = request.ask.amountMinor ?? totalLeft(left);
    const spread = spreadAmount(amount, left);
    if (!spread) {
      throw new BadUserInputError(
        `At most ${toMoney(totalLeft(left), payment.currency).amount} ${payment.currency} can still be refunded.`,
        "amount",
      );
    }
    lines = spread;
  }
  if (lines.length === 0) return { kind: "nothing-left" };
  const refund = await insertRefund(
    tx,
    { paymentId: payment.id, reason: request.reason, idempotencyKey: request.idempotencyKey, requestHash, lines },
    options,
  );
  return { kind: "created", refund };
}
