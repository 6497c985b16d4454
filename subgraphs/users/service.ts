import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import { usersEnvironment } from "./environment";
import { createUsersLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { createUsersDatabase } from "./store/database";

export const usersService = defineSubgraph({
  name: "users",
  environment: usersEnvironment,
  typeDefs: loadSubgraphTypeDefs("users"),
  resolvers,
  createDatabase: createUsersDatabase,
  createContext: (runtime, base) => ({
    ...base,
    db: runtime.db,
    unitOfWork: runtime.unitOfWork,
    loaders: createUsersLoaders(runtime.db),
  }),
});
