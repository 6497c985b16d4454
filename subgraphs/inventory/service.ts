import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import { inventoryEnvironment } from "./environment";
import { inventoryEventHandlers } from "./events/handlers";
import { createInventoryLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { createInventoryDatabase } from "./store/database";

/** The inventory subgraph: stock levels of the catalog's products. */
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
  }),
});
