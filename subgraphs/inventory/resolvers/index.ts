import { requireAdmin } from "../../common/auth/guards";
import { emptyStock, viewStock } from "../domain/stock";
import type { Resolvers } from "../generated/graphql";

export const resolvers: Resolvers = {
  Product: {
    __resolveReference: (reference) => ({ id: reference.id }),
    stock: async (product, _args, { loaders }) => (await loaders.stockByProductId.load(product.id)) ?? emptyStock(product.id),
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
};
