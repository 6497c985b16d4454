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
  },
};
