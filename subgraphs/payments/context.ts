import type { UnitOfWork } from "../common/events/unitOfWork";
import type { BaseContext } from "../common/server/subgraphDefinition";
import type { RefundDependencies } from "./domain/refunds";
import type { PaymentsLoaders } from "./loaders";
import type { PaymentsDb, PaymentsTx } from "./store/database";

export interface Context extends BaseContext, RefundDependencies {
  db: PaymentsDb;
  unitOfWork: UnitOfWork<PaymentsTx>;
  loaders: PaymentsLoaders;
}
