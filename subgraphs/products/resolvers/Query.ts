import { pageSize, newestFirstCursor, toConnection } from "../../common/pagination";
import { isUuid } from "../../common/validation";
import { parentsBeforeChildren } from "../domain/categoryTree";
import type { QueryResolvers } from "../generated/graphql";
import { listCategories } from "../store/categoryStore";
import { countProducts, listProducts } from "../store/productStore";

export const Query: QueryResolvers = {
  async products(_parent, args, { db }) {
    const size = pageSize(args.first);
    const query = { size, after: args.after, includeArchived: false };
    const rows = await listProducts(db, query);
    return toConnection(rows, size, newestFirstCursor, () => countProducts(db, query));
  },

  async product(_parent, { id }, { loaders }) {
    if (!isUuid(id)) return null;
    const product = await loaders.productById.load(id);
    return product && !product.archived ? product : null;
  },

  async categories(_parent, _args, { db }) {
    return parentsBeforeChildren(await listCategories(db));
  },
};
