import type DataLoader from "dataloader";
import type { UnitOfWork } from "../common/events/unitOfWork";
import type { BaseContext } from "../common/server/subgraphDefinition";
import type { CatalogEntity } from "./domain/knownProducts";
import type { InventoryLoaders } from "./loaders";
import type { InventoryDb, InventoryTx } from "./store/database";

export interface Context extends BaseContext {
  db: InventoryDb;
  unitOfWork: UnitOfWork<InventoryTx>;
  loaders: InventoryLoaders;
  /** Direct lookups in the products subgraph, for products whose event has not arrived yet. */
  catalogLookup: DataLoader<string, CatalogEntity | null>;
}
