import type { UnitOfWork } from "../common/events/unitOfWork";
import type { BaseContext } from "../common/server/subgraphDefinition";
import type { CatalogLookups } from "./domain/knownVariants";
import type { InventoryLoaders } from "./loaders";
import type { InventoryDb, InventoryTx } from "./store/database";

export interface Context extends BaseContext {
  db: InventoryDb;
  unitOfWork: UnitOfWork<InventoryTx>;
  loaders: InventoryLoaders;
  /** Direct lookups in the products subgraph, for products and variants whose event has not arrived yet. */
  catalogLookup: CatalogLookups;
}
