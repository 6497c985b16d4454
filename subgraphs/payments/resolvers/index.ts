import { toMoney } from "../../common/money";
import { DateTimeScalar } from "../../common/scalars";
import type { Resolvers } from "../generated/graphql";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Order: {
    __resolveReference: (reference) => ({ id: reference.id }),
    payment: (order, _args, { loaders }) => loaders.paymentOfOrder.load(order.id),
  },
  Payment: {
    __resolveReference: (reference, { loaders }) => loaders.paymentById.load(reference.id),
    amount: (payment) => toMoney(payment.amountMinor, payment.currency),
    refundedAmount: (payment) => toMoney(payment.refundedMinor, payment.currency),
  },
};
