import { createHash } from "node:crypto";
import { recordAudit } from "../../common/audit/recordAudit";
import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import { boundedInt, requiredId, requiredText } from "../../common/validation";
import { findLocationsByIds } from "../store/locationStore";
import type { StockTransferRecord } from "../store/records";
import { claimStockRequest, findStockRequest } from "../store/requestStore";
import { appendMovements, ensureLocationLevels, lockLocationLevels, updateLocationLevel } from "../store/stockStore";
import { resolveStockTarget, type KnownVariantDependencies } from "./knownVariants";
import { maxStockDelta } from "./adjustStock";

export interface TransferFields {
  variantId: string;
  fromLocationId: string;
  toLocationId: string;
  quantity: number;
  reason: string;
  idempotencyKey?: string | null;
}

/**
 * Moves available units of a variant from one location to another in one transaction: the
 * source gives them only if they are there and not reserved (CONFLICT otherwise), and the ledger
 * gets one entry at each side. The variant's totals do not change, so nothing is announced.
 * With an idempotency key, a repeat of the same transfer moves nothing and answers the
 * locations as they are; the key with another transfer is CONFLICT.
 */
export async function transferStock(
  deps: KnownVariantDependencies,
  actorId: string,
  input: TransferFields,
): Promise<StockTransferRecord> {
  const variantId = requiredId(input.variantId, "variantId");
  const fromId = requiredId(input.fromLocationId, "fromLocationId");
  const toId = requiredId(input.toLocationId, "toLocationId");
  if (fromId === toId) throw new BadUserInputError("The two locations must differ.", "toLocationId");
  const quantity = boundedInt(input.quantity, "quantity", { min: 1, max: maxStockDelta });
  const reason = requiredText(input.reason, "reason", { max: 200 });
  const idempotencyKey = input.idempotencyKey
    ? requiredText(input.idempotencyKey, "idempotencyKey", { max: 100 })
    : null;
  const requestHash = createHash("sha256")
    .update(JSON.stringify([variantId, fromId, toId, quantity, reason]))
    .digest("hex");
  const locations = await findLocationsByIds(deps.db, [fromId, toId]);
  const from = locations.find((location) => location.id === fromId);
  const to = locations.find((location) => location.id === toId);
  if (!from) throw new NotFoundError("No stock location has this id.", "fromLocationId");
  if (!to) throw new NotFoundError("No stock location has this id.", "toLocationId");
  const target = await resolveStockTarget(deps, { variantId });
  return deps.unitOfWork(async (tx, emit) => {
    if (idempotencyKey && !(await claimStockRequest(tx, { actorId, idempotencyKey, requestHash }))) {
      const claimed = await findStockRequest(tx, actorId, idempotencyKey);
      if (claimed?.requestHash !== requestHash)
        throw new ConflictError("This idempotency key was already used for another request.", "idempotencyKey");
      return sides(await lockLocationLevels(tx, [variantId], [fromId, toId]), fromId, toId);
    }
    await ensureLocationLevels(
      tx,
      [fromId, toId].map((locationId) => ({ ...target, locationId })),
    );
    // Both rows locked in location order, as every change of stock takes them.
    await lockLocationLevels(tx, [variantId], [fromId, toId]);
    const out = await updateLocationLevel(tx, {
      variantId,
      locationId: fromId,
      onHandDelta: -quantity,
      reservedDelta: 0,
    });
    if (!out) {
      const [source] = await lockLocationLevels(tx, [variantId], [fromId]);
      throw new ConflictError(
        `${from.name} has ${Math.max(0, (source?.onHand ?? 0) - (source?.reserved ?? 0))} units available to move, fewer than ${quantity}.`,
        "quantity",
      );
    }
    const into = (await updateLocationLevel(tx, {
      variantId,
      locationId: toId,
      onHandDelta: quantity,
      reservedDelta: 0,
    }))!;
    const entry = {
      productId: target.productId,
      variantId,
      kind: "TRANSFER" as const,
      reservedDelta: 0,
      actorId,
      orderId: null,
    };
    await appendMovements(tx, [
      {
        ...entry,
        locationId: fromId,
        onHandDelta: -quantity,
        onHandAfter: out.onHand,
        reservedAfter: out.reserved,
        reason: `${reason} (to ${to.name})`,
      },
      {
        ...entry,
        locationId: toId,
        onHandDelta: quantity,
        onHandAfter: into.onHand,
        reservedAfter: into.reserved,
        reason: `${reason} (from ${from.name})`,
      },
    ]);
    await recordAudit(tx, emit, "inventory", deps.caller, {
      entityType: "STOCK_LEVEL",
      entityId: variantId,
      action: "stock.transferred",
      before: {
        from: { locationId: fromId, onHand: out.onHand + quantity },
        to: { locationId: toId, onHand: into.onHand - quantity },
      },
      after: {
        from: { locationId: fromId, onHand: out.onHand },
        to: { locationId: toId, onHand: into.onHand },
        quantity,
        reason,
      },
    });
    return { from: { locationId: fromId, ...out }, to: { locationId: toId, ...into } };
  });
}

function sides(
  rows: ReadonlyArray<{ locationId: string; onHand: number; reserved: number }>,
  fromId: string,
  toId: string,
): StockTransferRecord {
  const at = (id: string) => {
    const row = rows.find((each) => each.locationId === id);
    return { locationId: id, onHand: row?.onHand ?? 0, reserved: row?.reserved ?? 0 };
  };
  return { from: at(fromId), to: at(toId) };
}
