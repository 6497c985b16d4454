import type { UnitOfWork } from "../common/events/unitOfWork";
import type { BaseContext } from "../common/server/subgraphDefinition";
import type { OrdersLoaders } from "./loaders";
import type { OrdersDb, OrdersTx } from "./store/database";

export interface Context extends BaseContext {
  db: OrdersDb;
  unitOfWork: UnitOfWork<OrdersTx>;
  loaders: OrdersLoaders;
}
