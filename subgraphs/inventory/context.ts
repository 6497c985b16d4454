import type { UnitOfWork } from "../common/events/unitOfWork";
import type { BaseContext } from "../common/server/subgraphDefinition";
import type { InventoryLoaders } from "./loaders";
import type { InventoryDb, InventoryTx } from "./store/database";

export interface Context extends BaseContext {
  db: InventoryDb;
  unitOfWork: UnitOfWork<InventoryTx>;
  loaders: InventoryLoaders;
}
