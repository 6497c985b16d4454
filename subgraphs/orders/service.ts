import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import { ordersEnvironment } from "./environment";
import { createOrdersLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { createOrdersDatabase } from "./store/database";

export const ordersService = defineSubgraph({
  name: "orders",
  environment: ordersEnvironment,
  typeDefs: loadSubgraphTypeDefs("orders"),
  resolvers,
  createDatabase: createOrdersDatabase,
  createContext: (runtime, base) => ({
    ...base,
    db: runtime.db,
    unitOfWork: runtime.unitOfWork,
    loaders: createOrdersLoaders(runtime.db),
  }),
});
