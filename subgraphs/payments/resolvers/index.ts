import { requireCaller, requireOwnerOrAdmin } from "../../common/auth/guards";
import { toMoney } from "../../common/money";
import { DateTimeScalar } from "../../common/scalars";
import type { Resolvers } from "../generated/graphql";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
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
  },
};
