import { isAdmin } from "../../common/auth/caller";
import { NotFoundError } from "../../common/errors";
import { toConnection } from "../../common/pagination";
import { isUuid } from "../../common/validation";
import { parentsBeforeChildren } from "../domain/categoryTree";
import { parseProductQuery, productCursor } from "../domain/productQuery";
import type { QueryResolvers } from "../generated/graphql";
import { listCategories } from "../store/categoryStore";
import { countProducts, searchProducts } from "../store/productSearch";

export const Query: QueryResolvers = {
  async products(_parent, args, { caller, db }) {
    const query = parseProductQuery({ ...args, includeArchived: isAdmin(caller) });
    const rows = await searchProducts(db, query);
    return toConnection(
      rows,
      query.size,
      (row) => productCursor(query, row.sortKey, row.id),
      () => countProducts(db, query),
    );
  },

  async product(_parent, { id }, { caller, loaders }) {
    const product = isUuid(id) ? await loaders.productById.load(id) : null;
    if (!product || (product.archived && !isAdmin(caller))) throw new NotFoundError("No product has this id.");
    return product;
  },

  async categories(_parent, _args, { db }) {
    return parentsBeforeChildren(await listCategories(db));
  },
};
