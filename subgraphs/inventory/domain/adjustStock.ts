import { recordAudit } from "../../common/audit/recordAudit";
import { ConflictError, NotFoundError } from "../../common/errors";
import { boundedInt, requiredId, requiredText } from "../../common/validation";
import { findDefaultLocation, findLocationsByIds } from "../store/locationStore";
import type { StockRecord } from "../store/records";
import { ensureLocationLevels, ensureStockLevels, lockLocationLevels } from "../store/stockStore";
import { resolveStockTarget, type KnownVariantDependencies } from "./knownVariants";
import { applyStockChanges } from "./stockChanges";

export interface AdjustStockFields {
  productId?: string | null;
  variantId?: string | null;
  locationId?: string | null;
  delta: number;
  reason: string;
  lowStockThreshold?: number | null;
}

export const maxStockDelta = 1_000_000;

/** The location named, or the first active one (by priority) when none is. */
export async function locationFor(deps: Pick<KnownVariantDependencies, "db">, locationId: string | null) {
  if (locationId) {
    const [location] = await findLocationsByIds(deps.db, [locationId]);
    if (!location) throw new NotFoundError("No stock location has this id.", "locationId");
    return location;
  }
  const location = await findDefaultLocation(deps.db);
  if (!location) throw new ConflictError("There is no active stock location: create one first.", "locationId");
  return location;
}

/**
 * A back-office stock correction of one variant at one location; refused (CONFLICT) when it
 * would go below 0 or below what is reserved there. Answers the variant's stock, all locations.
 */
export async function adjustStock(
  deps: KnownVariantDependencies,
  actorId: string,
  input: AdjustStockFields,
): Promise<StockRecord> {
  const delta = boundedInt(input.delta, "delta", { min: -maxStockDelta, max: maxStockDelta });
  const reason = requiredText(input.reason, "reason", { max: 200 });
  const lowStockThreshold =
    input.lowStockThreshold === null || input.lowStockThreshold === undefined
      ? null
      : boundedInt(input.lowStockThreshold, "lowStockThreshold", { min: 0, max: maxStockDelta });
  const locationId = input.locationId ? requiredId(input.locationId, "locationId") : null;
  const target = await resolveStockTarget(deps, input);
  const location = await locationFor(deps, locationId);
  const place = { variantId: target.variantId, productId: target.productId, locationId: location.id };
  const after = await deps.unitOfWork(async (tx, emit) => {
    await ensureStockLevels(tx, [target]);
    await ensureLocationLevels(tx, [place]);
    const totals = await applyStockChanges(
      tx,
      emit,
      [{ ...place, onHandDelta: delta, reservedDelta: 0, kind: "ADJUSTMENT", reason, actorId }],
      lowStockThreshold === null ? new Map() : new Map([[target.variantId, lowStockThreshold]]),
    );
    if (totals) {
      const [here] = await lockLocationLevels(tx, [target.variantId], [location.id]);
      const onHand = here?.onHand ?? 0;
      await recordAudit(tx, emit, "inventory", deps.caller, {
        entityType: "STOCK_LEVEL",
        entityId: target.variantId,
        action: "stock.adjusted",
        before: { locationId: location.id, onHand: onHand - delta },
        after: {
          locationId: location.id,
          onHand,
          reason,
          ...(lowStockThreshold === null ? {} : { lowStockThreshold }),
        },
      });
      return totals.get(target.variantId)!;
    }
    const [here] = await lockLocationLevels(tx, [target.variantId], [location.id]);
    throw new ConflictError(
      `This change would leave ${(here?.onHand ?? 0) + delta} units on hand at ${location.name}, below 0 or below the ${here?.reserved ?? 0} reserved there for orders.`,
      "delta",
    );
  });
  return {
    owner: { kind: "variant", id: target.variantId },
    onHand: after.onHand,
    reserved: after.reserved,
    lowStockThreshold: after.lowStockThreshold,
  };
}
