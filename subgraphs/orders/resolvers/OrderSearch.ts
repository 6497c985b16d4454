import { requirePermission } from "../../common/auth/guards";
import { orderSearchPage } from "../domain/orderSearch";
import type { QueryResolvers } from "../generated/graphql";

/** Back-office order search (the ORDERS permission). */
export const orderSearchQuery: Pick<QueryResolvers, "orderSearch"> = {
  orderSearch: (_parent, { filter, first, after }, { caller, db }) => (
    requirePermission(caller, "ORDERS"),
    orderSearchPage(db, filter, { first, after })
  ),
};
