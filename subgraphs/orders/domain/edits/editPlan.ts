import { createHash } from "node:crypto";
import { BadUserInputError, ConflictError } from "../../../common/errors";
import { boundedInt, optionalText, requiredId, requiredText } from "../../../common/validation";

/** The most edits one order takes: `Order.edits` is a bounded list. */
export const maxEditsPerOrder = 20;
/** The most lines one edit names. */
export const maxEditLines = 50;

export interface EditLine {
  orderItemId: string;
  /** The units the line keeps (0: removed). */
  quantity: number;
}

export interface EditRequest {
  orderId: string;
  idempotencyKey: string;
  lines: EditLine[];
  reason: string | null;
  /** The edit's fingerprint: the same key must come with the same edit. */
  hash: string;
}

/** Checks an `OrderEditInput` on its own (the order's lines are checked by `planEdit`). */
export function validateEdit(input: {
  orderId: string;
  idempotencyKey: string;
  lines: ReadonlyArray<{ orderItemId: string; quantity: number }>;
  reason?: string | null;
}): EditRequest {
  const idempotencyKey = requiredText(input.idempotencyKey, "idempotencyKey", { max: 100 });
  const reason = optionalText(input.reason, "reason", 500);
  if (input.lines.length < 1 || input.lines.length > maxEditLines)
    throw new BadUserInputError(`\`lines\` must hold 1 to ${maxEditLines} lines.`, "lines");
  const seen = new Set<string>();
  const lines = input.lines.map((line, index) => {
    const orderItemId = requiredId(line.orderItemId, `lines.${index}.orderItemId`);
    if (seen.has(orderItemId))
      throw new BadUserInputError("Each line may be named once.", `lines.${index}.orderItemId`);
    seen.add(orderItemId);
    const quantity = boundedInt(line.quantity, `lines.${index}.quantity`, { min: 0, max: 999 });
    return { orderItemId, quantity };
  });
  const canonical = JSON.stringify({
    lines: [...lines]
      .sort((a, b) => a.orderItemId.localeCompare(b.orderItemId))
      .map((l) => [l.orderItemId, l.quantity]),
    reason,
  });
  return {
    orderId: input.orderId,
    idempotencyKey,
    lines,
    reason,
    hash: createHash("sha256").update(canonical).digest("hex"),
  };
}

/** An order line as an edit reads it. */
export interface EditableItem {
  id: string;
  position: number;
  quantity: number;
}

/** What an edit does to one line. */
export interface LineChange {
  orderItemId: string;
  position: number;
  previousQuantity: number;
  quantity: number;
}

/**
 * The edit against the order's lines: every line named must be the order's, and keep fewer units
 * than it has (never more; as many is no change). At least one unit of the order must remain:
 * removing everything is cancelling the order (CONFLICT). An edit that changes nothing is
 * BAD_USER_INPUT.
 */
export function planEdit(items: readonly EditableItem[], lines: readonly EditLine[]): LineChange[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const changes: LineChange[] = [];
  lines.forEach((line, index) => {
    const item = byId.get(line.orderItemId);
    if (!item) throw new BadUserInputError("This order has no such line.", `lines.${index}.orderItemId`);
    if (line.quantity > item.quantity)
      throw new BadUserInputError(
        `An edit only takes units away: this line has ${item.quantity}, so at most ${item.quantity}.`,
        `lines.${index}.quantity`,
      );
    if (line.quantity < item.quantity)
      changes.push({
        orderItemId: item.id,
        position: item.position,
        previousQuantity: item.quantity,
        quantity: line.quantity,
      });
  });
  if (changes.length === 0)
    throw new BadUserInputError("This edit changes nothing: give lines fewer units than they have.", "lines");
  const kept = new Map(changes.map((change) => [change.orderItemId, change.quantity]));
  const remaining = items.reduce((sum, item) => sum + (kept.get(item.id) ?? item.quantity), 0);
  if (remaining === 0)
    throw new ConflictError(
      "An edit must leave at least one unit on the order: to drop everything, cancel the order.",
      "lines",
    );
  return changes;
}
