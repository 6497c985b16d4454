import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import { productsEnvironment } from "./environment";
import { productsEventHandlers } from "./events/handlers";
import { createProductsLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { createProductsDatabase } from "./store/database";

/** The products subgraph: the catalog (products, categories). */
export const productsService = defineSubgraph({
  name: "products",
  environment: productsEnvironment,
  typeDefs: loadSubgraphTypeDefs("products"),
  resolvers,
  createDatabase: createProductsDatabase,
  eventHandlers: productsEventHandlers,
  createContext: (runtime, base) => ({
    ...base,
    db: runtime.db,
    unitOfWork: runtime.unitOfWork,
    loaders: createProductsLoaders(runtime.db),
  }),
});
