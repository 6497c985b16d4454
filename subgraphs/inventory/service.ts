import { entityLoader } from "../common/federation/entityClient";
import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import type { CatalogEntity } from "./domain/knownProducts";
import { inventoryEnvironment } from "./environment";
import { inventoryEventHandlers } from "./events/handlers";
import { createInventoryLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { createInventoryDatabase } from "./store/database";

/** The inventory subgraph: stock levels, the stock ledger and reservations. */
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
    catalogLookup: entityLoader<CatalogEntity>({
      url: runtime.env.PRODUCTS_URL,
      typename: "Product",
      selection: "id sku name archived",
      signingSecret: runtime.env.ROUTER_SIGNING_SECRET,
    }),
  }),
});
