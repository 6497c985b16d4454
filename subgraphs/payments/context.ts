import type { BaseContext } from "../common/server/subgraphDefinition";
import type { PaymentsDependencies } from "./domain/dependencies";
import type { PaymentsLoaders } from "./loaders";

export interface Context extends BaseContext, PaymentsDependencies {
  loaders: PaymentsLoaders;
}
