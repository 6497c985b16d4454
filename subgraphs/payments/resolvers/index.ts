import {
  isOwnerOrPermission,
  requireCaller,
  requireOwnerOrPermission,
  requirePermission,
} from "../../common/auth/guards";
import { requireGuestAccess } from "../domain/guestAccess";
import { totalLeft } from "../domain/refundLedger";
import { isRefundable } from "../domain/refundRequests";
import { findLinesLeft } from "../store/refundLedgerStore";
import { toMoney } from "../../common/money";
import { newestFirstCursor, pageSize, toConnection } from "../../common/pagination";
import { DateTimeScalar } from "../../common/scalars";
import { refundOrder } from "../domain/refunds";
import { removeMethod, startSetup } from "../domain/savedMethods";
import type { PaymentNextActionType, PaymentProviderName, Resolvers } from "../generated/graphql";
import type { PaymentRecord } from "../store/records";
import { countSavedMethods, listSavedMethods } from "../store/savedMethodStore";

/** A payment read through its order's guest access token: its `nextAction` is the token holder's. */
type OpenedPayment = PaymentRecord & { openedByAccessToken: true };

function openedByAccessToken(payment: PaymentRecord): PaymentRecord {
  const opened: OpenedPayment = { ...payment, openedByAccessToken: true };
  return opened;
}

const isOpenedByAccessToken = (payment: PaymentRecord): boolean =>
  (payment as Partial<OpenedPayment>).openedByAccessToken === true;

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    // Public: the provider's name and its publishable key, never a secret.
    paymentConfiguration: (_parent, _args, { providers }) => ({
      provider: providers.defaultName.toUpperCase() as PaymentProviderName,
      publishableKey: providers.default.publishableKey ?? null,
    }),
  },
  Mutation: {
    refundOrder: (_parent, { input }, context) => (
      requirePermission(context.caller, "REFUNDS"),
      refundOrder(context, input)
    ),
    paymentMethodSetupCreate: async (_parent, _args, context) => {
      const { userId } = requireCaller(context.caller);
      const setup = await startSetup(context, userId);
      return { clientSecret: setup.clientSecret, provider: setup.provider };
    },
    paymentMethodRemove: (_parent, { id }, context) => removeMethod(context, requireCaller(context.caller).userId, id),
  },
  Order: {
    __resolveReference: (reference) => ({ id: reference.id }),
    async payment(order, { accessToken }, context) {
      const { caller, loaders } = context;
      if (accessToken != null) {
        // A guest's token opens its order's payment to whoever holds it, checked here, beside the data.
        await requireGuestAccess(context, order.id, accessToken);
        const payment = await loaders.paymentOfOrder.load(order.id);
        return payment && openedByAccessToken(payment);
      }
      requireCaller(caller);
      const payment = await loaders.paymentOfOrder.load(order.id);
      if (payment) requireOwnerOrPermission(caller, payment.customerId, "ORDERS", "this payment");
      return payment;
    },
  },
  Payment: {
    async __resolveReference(reference, { caller, loaders }) {
      const payment = await loaders.paymentById.load(reference.id);
      if (payment) requireOwnerOrPermission(caller, payment.customerId, "ORDERS", "this payment");
      return payment;
    },
    amount: (payment) => toMoney(payment.amountMinor, payment.currency),
    refundedAmount: (payment) => toMoney(payment.refundedMinor, payment.currency),
    exchangeCreditAmount: (payment) => toMoney(payment.exchangeCreditMinor ?? 0n, payment.currency),
    paidByExchangeCredit: (payment) => !!payment.fundedByPaymentId,
    // The client secret completes the payment: the order's customer (and the back office) only.
    nextAction: (payment, _args, { caller }) =>
      payment.status === "REQUIRES_ACTION" &&
      payment.nextActionType &&
      (isOpenedByAccessToken(payment) || isOwnerOrPermission(caller, payment.customerId, "ORDERS"))
        ? {
            type: payment.nextActionType as PaymentNextActionType,
            clientSecret: payment.nextActionSecret,
            redirectUrl: payment.nextActionUrl,
          }
        : null,
    async refundableAmount(payment, _args, { db }) {
      const left = isRefundable(payment) ? totalLeft(await findLinesLeft(db, payment.id)) : 0n;
      return toMoney(left, payment.currency);
    },
    async refunds(payment, _args, { caller, db }) {
      requirePermission(caller, "REFUNDS");
      const rows = await db.refund.findMany({
        where: { paymentId: payment.id },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: 100,
      });
      return rows.map((refund) => ({ ...refund, currency: payment.currency }));
    },
    async attempts(payment, _args, { caller, loaders }) {
      requirePermission(caller, "ORDERS");
      return (await loaders.attemptsOfPayment.load(payment.id)).map((attempt) => ({
        ...attempt,
        currency: payment.currency,
      }));
    },
  },
  Refund: {
    amount: (refund) => toMoney(refund.amountMinor, refund.currency),
  },
  PaymentAttempt: {
    amount: (attempt) => toMoney(attempt.amountMinor, attempt.currency),
    at: (attempt) => attempt.createdAt,
  },
  User: {
    __resolveReference: (reference) => ({ id: reference.id }),
    async paymentMethods(user, args, { caller, db }) {
      requireOwnerOrPermission(caller, user.id, "CUSTOMERS", "another user's payment methods");
      const size = pageSize(args.first);
      const rows = await listSavedMethods(db, { customerId: user.id, size, after: args.after });
      return toConnection(rows, size, newestFirstCursor, () => countSavedMethods(db, user.id));
    },
  },
};
