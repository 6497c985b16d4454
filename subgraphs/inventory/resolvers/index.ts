import { z } from "zod";
import { requireAdmin } from "../../common/auth/guards";
import { decodeCursor, encodeCursor, pageSize, toConnection } from "../../common/pagination";
import { DateTimeScalar } from "../../common/scalars";
import { adjustStock } from "../domain/adjustStock";
import { emptyStock, viewStock } from "../domain/stock";
import type { Resolvers } from "../generated/graphql";
import { countMovements, listMovements } from "../store/stockStore";

const movementPosition = z.string().regex(/^\d+$/);

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Mutation: {
    adjustStock: (_parent, { input }, context) => adjustStock(context, requireAdmin(context.caller).userId, input),
  },
  Product: {
    __resolveReference: (reference) => ({ id: reference.id }),
    stock: async (product, _args, { loaders }) =>
      (await loaders.stockByProductId.load(product.id)) ?? emptyStock(product.id),
    async stockMovements(product, args, { caller, db }) {
      requireAdmin(caller);
      const size = pageSize(args.first);
      const afterId = args.after ? BigInt(decodeCursor(args.after, movementPosition)) : null;
      const rows = await listMovements(db, { productId: product.id, size, afterId });
      return toConnection(
        rows,
        size,
        (row) => encodeCursor(row.id.toString()),
        () => countMovements(db, product.id),
      );
    },
  },
  Stock: {
    available: (level) => viewStock(level).available,
    inStock: (level) => viewStock(level).inStock,
    lowStock: (level) => viewStock(level).lowStock,
    // What the warehouse holds and what is promised is back-office information.
    onHand: (level, _args, { caller }) => (requireAdmin(caller), level.onHand),
    reserved: (level, _args, { caller }) => (requireAdmin(caller), level.reserved),
    lowStockThreshold: (level, _args, { caller }) => (requireAdmin(caller), level.lowStockThreshold),
  },
  StockMovement: {
    id: (movement) => movement.id.toString(),
    at: (movement) => movement.createdAt,
  },
};
