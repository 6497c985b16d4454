import { ConflictError } from "../../common/errors";
import { boundedInt, requiredId, requiredText } from "../../common/validation";
import { findStockLevels } from "../store/stockStore";
import type { StockRecord } from "../store/records";
import { requireKnownProduct, type KnownProductDependencies } from "./knownProducts";
import { changeStock } from "./stockChanges";

export interface AdjustStockFields {
  productId: string;
  delta: number;
  reason: string;
  lowStockThreshold?: number | null;
}

export const maxStockDelta = 1_000_000;

/** A back-office stock correction; refused (CONFLICT) when it would go below 0 or below what is reserved. */
export async function adjustStock(
  deps: KnownProductDependencies,
  actorId: string,
  input: AdjustStockFields,
): Promise<StockRecord> {
  const productId = requiredId(input.productId, "productId");
  const delta = boundedInt(input.delta, "delta", { min: -maxStockDelta, max: maxStockDelta });
  const reason = requiredText(input.reason, "reason", { max: 200 });
  const lowStockThreshold =
    input.lowStockThreshold === null || input.lowStockThreshold === undefined
      ? null
      : boundedInt(input.lowStockThreshold, "lowStockThreshold", { min: 0, max: maxStockDelta });
  await requireKnownProduct(deps, productId);
  const after = await deps.unitOfWork((tx, emit) =>
    changeStock(tx, emit, {
      productId,
      onHandDelta: delta,
      reservedDelta: 0,
      kind: "ADJUSTMENT",
      reason,
      actorId,
      lowStockThreshold,
    }),
  );
  if (!after) {
    const [current] = await findStockLevels(deps.db, [productId]);
    throw new ConflictError(
      `This change would leave ${current ? current.onHand + delta : delta} units on hand, below 0 or below the ${current?.reserved ?? 0} reserved for orders.`,
      "delta",
    );
  }
  return { productId, onHand: after.onHand, reserved: after.reserved, lowStockThreshold: after.lowStockThreshold };
}
