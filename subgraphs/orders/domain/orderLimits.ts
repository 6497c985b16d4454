import { BadUserInputError } from "../../common/errors";
import { payability } from "../../common/payability";
import { maxQuantityPerLine } from "./cart";

/**
 * What an order may hold, checked once it is priced: one variant on several lines counts
 * together against the per-line limit (so splitting a line does not dodge it), and the total must
 * be one the payment provider would take, so an order that could never be paid is refused here
 * rather than reserving stock and then being declined (or dead-lettered).
 */
export function checkOrderLimits(
  lines: ReadonlyArray<{ variantId: string; quantity: number }>,
  total: { amountMinor: bigint; currency: string },
): void {
  const quantities = new Map<string, number>();
  lines.forEach((line, index) => {
    const quantity = (quantities.get(line.variantId) ?? 0) + line.quantity;
    quantities.set(line.variantId, quantity);
    if (quantity > maxQuantityPerLine) {
      throw new BadUserInputError(
        `An order holds at most ${maxQuantityPerLine} of one item, counting every line that names it.`,
        `items.${index}.quantity`,
      );
    }
  });
  const verdict = payability(total);
  if (!verdict.payable) throw new BadUserInputError(verdict.message, "items");
}
