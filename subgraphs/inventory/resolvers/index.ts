import { z } from "zod";
import { requirePermission } from "../../common/auth/guards";
import { decodeCursor, encodeCursor, pageSize, toConnection } from "../../common/pagination";
import { DateTimeScalar } from "../../common/scalars";
import { adjustStock } from "../domain/adjustStock";
import { createLocation, updateLocation } from "../domain/locations";
import { emptyStock, viewStock } from "../domain/stock";
import { transferStock } from "../domain/transfer";
import type { Context } from "../context";
import type { Resolvers } from "../generated/graphql";
import { ownerKey } from "../loaders";
import { listLocations } from "../store/locationStore";
import type { LocationAddress, LocationStockRecord } from "../store/records";
import { countMovements, listMovements, type MovementQuery } from "../store/stockStore";

const movementPosition = z.string().regex(/^\d+$/);

/** A page of the ledger of a variant or of a product (back office). */
async function ledger(
  { caller, db }: Context,
  owner: MovementQuery["owner"],
  id: string,
  args: { first?: number | null; after?: string | null },
) {
  requirePermission(caller, "INVENTORY");
  const size = pageSize(args.first);
  const afterId = args.after ? BigInt(decodeCursor(args.after, movementPosition)) : null;
  const rows = await listMovements(db, { owner, id, size, afterId });
  return toConnection(
    rows,
    size,
    (row) => encodeCursor(row.id.toString()),
    () => countMovements(db, { owner, id }),
  );
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    stockLocations: (_parent, _args, { caller, db }) => (requirePermission(caller, "INVENTORY"), listLocations(db)),
  },
  Mutation: {
    adjustStock: (_parent, { input }, context) =>
      adjustStock(context, requirePermission(context.caller, "INVENTORY").userId, input),
    stockLocationCreate: (_parent, { input }, context) => (
      requirePermission(context.caller, "INVENTORY"),
      createLocation(context, input)
    ),
    stockLocationUpdate: (_parent, { id, input }, context) => (
      requirePermission(context.caller, "INVENTORY"),
      updateLocation(context, id, input)
    ),
    stockTransfer: (_parent, { input }, context) =>
      transferStock(context, requirePermission(context.caller, "INVENTORY").userId, input),
  },
  Product: {
    __resolveReference: (reference) => ({ id: reference.id }),
    stock: async (product, _args, { loaders }) => {
      const owner = { kind: "product" as const, id: product.id };
      const level = await loaders.stockOfProduct.load(product.id);
      return level ? { owner, ...level } : emptyStock(owner);
    },
    stockMovements: (product, args, context) => ledger(context, "product", product.id, args),
  },
  ProductVariant: {
    __resolveReference: (reference) => ({ id: reference.id }),
    stock: async (variant, _args, { loaders }) => {
      const owner = { kind: "variant" as const, id: variant.id };
      const level = await loaders.stockOfVariant.load(variant.id);
      return level ? { owner, ...level } : emptyStock(owner);
    },
    stockMovements: (variant, args, context) => ledger(context, "variant", variant.id, args),
  },
  Stock: {
    available: (level) => viewStock(level).available,
    inStock: (level) => viewStock(level).inStock,
    lowStock: (level) => viewStock(level).lowStock,
    // What the warehouse holds and what is promised is back-office information.
    onHand: (level, _args, { caller }) => (requirePermission(caller, "INVENTORY"), level.onHand),
    reserved: (level, _args, { caller }) => (requirePermission(caller, "INVENTORY"), level.reserved),
    lowStockThreshold: (level, _args, { caller }) => (requirePermission(caller, "INVENTORY"), level.lowStockThreshold),
    byLocation: (level, _args, { caller, loaders }) => (
      requirePermission(caller, "INVENTORY"),
      loaders.locationStockOf.load(ownerKey(level.owner))
    ),
  },
  LocationStock: {
    location: async (row: LocationStockRecord, _args, { loaders }) =>
      (await loaders.locationById.load(row.locationId))!,
    available: (row) => Math.max(0, row.onHand - row.reserved),
  },
  StockLocation: {
    address: (location) => location.address as unknown as LocationAddress | null,
  },
  StockMovement: {
    id: (movement) => movement.id.toString(),
    at: (movement) => movement.createdAt,
    variant: (movement) => ({ id: movement.variantId }),
    location: async (movement, _args, { loaders }) => (await loaders.locationById.load(movement.locationId))!,
  },
};
