import type { UnitOfWork } from "../common/events/unitOfWork";
import type { BaseContext } from "../common/server/subgraphDefinition";
import type { ProductsLoaders } from "./loaders";
import type { ProductsDb, ProductsTx } from "./store/database";

/** What products resolvers get with every request. */
export interface Context extends BaseContext {
  db: ProductsDb;
  unitOfWork: UnitOfWork<ProductsTx>;
  loaders: ProductsLoaders;
}
