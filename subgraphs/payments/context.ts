import type { BaseContext } from "../common/server/subgraphDefinition";
import type { PaymentsDependencies } from "./domain/dependencies";
import type { GuestAccessDependencies } from "./domain/guestAccess";
import type { PaymentsLoaders } from "./loaders";

export interface Context extends BaseContext, PaymentsDependencies, GuestAccessDependencies {
  loaders: PaymentsLoaders;
}
