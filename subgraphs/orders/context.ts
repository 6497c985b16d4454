import type { UnitOfWork } from "../common/events/unitOfWork";
import type { BaseContext } from "../common/server/subgraphDefinition";
import type { CatalogLookups } from "./domain/catalogView";
import type { PlaceOrderDependencies } from "./domain/placeOrder";
import type { OrdersLoaders } from "./loaders";
import type { OrdersDb, OrdersTx } from "./store/database";

export interface Context extends BaseContext, PlaceOrderDependencies {
  db: OrdersDb;
  unitOfWork: UnitOfWork<OrdersTx>;
  loaders: OrdersLoaders;
  lookups: CatalogLookups;
  /** How many days after delivery returns are accepted. */
  returnWindowDays: number;
}
