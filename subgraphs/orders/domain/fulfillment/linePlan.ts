import { BadUserInputError } from "../../../common/errors";
import { boundedInt, requiredId } from "../../../common/validation";

/** The most parcels an order ships in, and the most returns asked of it: bounded lists on `Order`. */
export const maxFulfillmentsPerOrder = 20;
export const maxReturnsPerOrder = 20;

/** An order line as fulfillments and returns count it: what was ordered, and how much of it is taken already. */
export interface LineBalance {
  orderItemId: string;
  ordered: number;
  /** Units already in fulfillments (for a fulfillment) or in returns not refused (for a return). */
  taken: number;
  /** The most units that may be taken at all (ordered for fulfillments, delivered for returns). */
  limit: number;
}

export interface LineQuantity {
  orderItemId: string;
  quantity: number;
}

/**
 * Checks the lines asked for against what each line has left: every line named once, known,
 * with 1 to `limit - taken` units. `field` is the input list's name, for BAD_USER_INPUT.
 */
export function planLines(
  requested: readonly LineQuantity[],
  balances: readonly LineBalance[],
  field: string,
  what: string,
): LineQuantity[] {
  if (requested.length < 1 || requested.length > 50)
    throw new BadUserInputError(`\`${field}\` must hold 1 to 50 lines.`, field);
  const byId = new Map(balances.map((balance) => [balance.orderItemId, balance]));
  const seen = new Set<string>();
  return requested.map((line, index) => {
    const orderItemId = requiredId(line.orderItemId, `${field}.${index}.orderItemId`);
    const balance = byId.get(orderItemId);
    if (!balance) throw new BadUserInputError("This order has no such line.", `${field}.${index}.orderItemId`);
    if (seen.has(orderItemId))
      throw new BadUserInputError("Each line may be named once.", `${field}.${index}.orderItemId`);
    seen.add(orderItemId);
    const quantity = boundedInt(line.quantity, `${field}.${index}.quantity`, { min: 1, max: 999 });
    const left = balance.limit - balance.taken;
    if (quantity > left) {
      throw new BadUserInputError(
        `Only ${left} unit${left === 1 ? "" : "s"} of this line can still be ${what}.`,
        `${field}.${index}.quantity`,
      );
    }
    return { orderItemId, quantity };
  });
}

/** Whether, with `added` taken too, every unit of every line is taken (the order has shipped in full). */
export function takesEverything(balances: readonly LineBalance[], added: readonly LineQuantity[]): boolean {
  const extra = new Map(added.map((line) => [line.orderItemId, line.quantity]));
  return balances.every((balance) => balance.taken + (extra.get(balance.orderItemId) ?? 0) >= balance.ordered);
}
