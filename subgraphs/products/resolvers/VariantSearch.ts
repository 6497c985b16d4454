import { requirePermission } from "../../common/auth/guards";
import { variantSearchPage } from "../domain/variantSearch";
import type { QueryResolvers } from "../generated/graphql";

/** Back-office search of variants by SKU (the CATALOG permission). */
export const variantSearchQuery: Pick<QueryResolvers, "productVariantSearch"> = {
  productVariantSearch: (_parent, args, { caller, db }) => (
    requirePermission(caller, "CATALOG"),
    variantSearchPage(db, args)
  ),
};
