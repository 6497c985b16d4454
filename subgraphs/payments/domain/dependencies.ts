import type { SqlExecutor } from "../../common/database/prismaOptions";
import type { BackoffSettings } from "../../common/backoff";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import type { Logger } from "../../common/logger";
import type { PaymentProviders } from "../provider/paymentProviders";
import type { PaymentsDb, PaymentsTx } from "../store/database";

/** What the payments domain works with: its database, the providers, and its timings. */
export interface PaymentsDependencies {
  db: PaymentsDb;
  unitOfWork: UnitOfWork<PaymentsTx>;
  /** A unit of work on the pool without Prisma (SQL only), for the hot paths; `unitOfWork` where absent. */
  sqlUnitOfWork?: UnitOfWork<SqlExecutor>;
  providers: PaymentProviders;
  /** Backoff of captures and refunds after a transient provider error. */
  retry: BackoffSettings;
  logger: Logger;
  /**
   * How long a payment keeps trying a provider that fails transiently (PAYMENT_UNREACHABLE_WINDOW_SECONDS):
   * then it gives up, and the order is cancelled with its stock released, well before its
   * payment window would close.
   */
  unreachableWindowMs: number;
  /**
   * How long a call may go unanswered before reconciliation asks the provider about it
   * (PAYMENT_RECONCILE_AFTER_SECONDS), and how often a payment waiting for its customer is checked.
   */
  reconcileAfterMs: number;
}
