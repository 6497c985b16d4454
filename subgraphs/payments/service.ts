import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import { paymentsEnvironment } from "./environment";
import { createPaymentsLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { createPaymentsDatabase } from "./store/database";

export const paymentsService = defineSubgraph({
  name: "payments",
  environment: paymentsEnvironment,
  typeDefs: loadSubgraphTypeDefs("payments"),
  resolvers,
  createDatabase: createPaymentsDatabase,
  createContext: (runtime, base) => ({
    ...base,
    db: runtime.db,
    unitOfWork: runtime.unitOfWork,
    loaders: createPaymentsLoaders(runtime.db),
  }),
});
