import { entityLoader } from "../common/federation/entityClient";
import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import type { CatalogProductEntity, CatalogVariantEntity } from "./domain/knownVariants";
import { inventoryEnvironment } from "./environment";
import { inventoryEventHandlers } from "./events/handlers";
import { createInventoryLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { createInventoryDatabase } from "./store/database";

const variantSelection = "id sku title archived selectedOptions { name value }";

/** The inventory subgraph: stock per variant and location, the stock ledger, reservations and stock locations. */
export const inventoryService = defineSubgraph({
  name: "inventory",
  environment: inventoryEnvironment,
  typeDefs: loadSubgraphTypeDefs("inventory"),
  resolvers,
  createDatabase: createInventoryDatabase,
  eventHandlers: inventoryEventHandlers,
  createContext: (runtime, base) => ({
    ...base,
    db: runtime.db,
    unitOfWork: runtime.unitOfWork,
    loaders: createInventoryLoaders(runtime.db),
    catalogLookup: {
      products: entityLoader<CatalogProductEntity>({
        url: runtime.env.PRODUCTS_URL,
        typename: "Product",
        selection: `id name status updatedAt variants(first: 100) { edges { node { ${variantSelection} } } }`,
        signingSecret: runtime.env.ROUTER_SIGNING_SECRET,
      }),
      variants: entityLoader<CatalogVariantEntity>({
        url: runtime.env.PRODUCTS_URL,
        typename: "ProductVariant",
        selection: `${variantSelection} product { id name status updatedAt }`,
        signingSecret: runtime.env.ROUTER_SIGNING_SECRET,
      }),
    },
  }),
});
