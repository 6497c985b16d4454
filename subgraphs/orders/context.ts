import type { UnitOfWork } from "../common/events/unitOfWork";
import type { BaseContext } from "../common/server/subgraphDefinition";
import type { CatalogLookups } from "./domain/catalogView";
import type { GuestCartDependencies } from "./domain/guestCart";
import type { GuestAccessDependencies, GuestLookupDependencies } from "./domain/guestOrders";
import type { PlaceOrderDependencies } from "./domain/placeOrder";
import type { OrdersLoaders } from "./loaders";
import type { OrdersDb, OrdersTx } from "./store/database";

export interface Context
  extends BaseContext, PlaceOrderDependencies, GuestCartDependencies, GuestLookupDependencies, GuestAccessDependencies {
  limits: GuestCartDependencies["limits"] & GuestLookupDependencies["limits"];
  db: OrdersDb;
  unitOfWork: UnitOfWork<OrdersTx>;
  loaders: OrdersLoaders;
  lookups: CatalogLookups;
  /** How many days after delivery returns are accepted. */
  returnWindowDays: number;
  /** How many minutes after placing an order its customer may edit it. */
  editWindowMinutes: number;
}
