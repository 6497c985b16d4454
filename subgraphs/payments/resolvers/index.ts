import { requireAdmin, requireCaller, requireOwnerOrAdmin } from "../../common/auth/guards";
import { toMoney } from "../../common/money";
import { DateTimeScalar } from "../../common/scalars";
import { refundOrder } from "../domain/refunds";
import type { Resolvers } from "../generated/graphql";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Mutation: {
    refundOrder: (_parent, { input }, context) => (requireAdmin(context.caller), refundOrder(context, input)),
  },
  Order: {
    __resolveReference: (reference) => ({ id: reference.id }),
    async payment(order, _args, { caller, loaders }) {
      requireCaller(caller);
      const payment = await loaders.paymentOfOrder.load(order.id);
      if (payment) requireOwnerOrAdmin(caller, payment.customerId, "this payment");
      return payment;
    },
  },
  Payment: {
    async __resolveReference(reference, { caller, loaders }) {
      const payment = await loaders.paymentById.load(reference.id);
      if (payment) requireOwnerOrAdmin(caller, payment.customerId, "this payment");
      return payment;
    },
    amount: (payment) => toMoney(payment.amountMinor, payment.currency),
    refundedAmount: (payment) => toMoney(payment.refundedMinor, payment.currency),
    async attempts(payment, _args, { caller, loaders }) {
      requireAdmin(caller);
      return (await loaders.attemptsOfPayment.load(payment.id)).map((attempt) => ({
        ...attempt,
        currency: payment.currency,
      }));
    },
  },
  PaymentAttempt: {
    amount: (attempt) => toMoney(attempt.amountMinor, attempt.currency),
    at: (attempt) => attempt.createdAt,
  },
};
