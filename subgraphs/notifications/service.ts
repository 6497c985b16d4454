import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import { notificationsEnvironment } from "./environment";
import { createNotificationsLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { createNotificationsDatabase } from "./store/database";

export const notificationsService = defineSubgraph({
  name: "notifications",
  environment: notificationsEnvironment,
  typeDefs: loadSubgraphTypeDefs("notifications"),
  resolvers,
  createDatabase: createNotificationsDatabase,
  createContext: (runtime, base) => ({
    ...base,
    db: runtime.db,
    unitOfWork: runtime.unitOfWork,
    loaders: createNotificationsLoaders(runtime.db),
  }),
});
