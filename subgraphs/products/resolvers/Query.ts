import { BadUserInputError, NotFoundError } from "../../common/errors";
import { toConnection } from "../../common/pagination";
import { boundedInt, isUuid, requiredText } from "../../common/validation";
import { parentsBeforeChildren } from "../domain/categoryTree";
import { parseProductQuery, productCursor } from "../domain/productQuery";
import { isCatalogStaff, isVisibleProduct } from "../domain/visibility";
import type { QueryResolvers } from "../generated/graphql";
import { findCategoryBySlug, listCategories } from "../store/categoryStore";
import { countProducts, searchAndCountProducts, searchProducts } from "../store/productSearch";
import { findProductBySlug } from "../store/productStore";
import { findSuggestions } from "../store/suggestionStore";
import { selectsField } from "./selection";

/** Exactly one of `id` and `slug`. */
function idOrSlug(args: { id?: string | null; slug?: string | null }): { id: string } | { slug: string } {
  const hasId = args.id !== null && args.id !== undefined;
  const hasSlug = args.slug !== null && args.slug !== undefined;
  if (hasId === hasSlug) throw new BadUserInputError("Give exactly one of `id` and `slug`.", hasId ? "slug" : "id");
  return hasId ? { id: args.id! } : { slug: args.slug!.trim() };
}

export const Query: QueryResolvers = {
  async products(_parent, args, { caller, db }, info) {
    const query = parseProductQuery({ ...args, includeArchived: isCatalogStaff(caller) });
    // With `totalCount` asked for, the page and its count are one statement.
    const counted = selectsField(info, "totalCount") ? await searchAndCountProducts(db, query) : null;
    const rows = counted ? counted.rows : await searchProducts(db, query);
    const page = toConnection(
      rows,
      query.size,
      (row) => productCursor(query, row.sortKey, row.id),
      () => (counted ? Promise.resolve(counted.totalCount) : countProducts(db, query)),
    );
    return { ...page, query };
  },

  async product(_parent, args, { caller, db, loaders }) {
    const key = idOrSlug(args);
    const product =
      "id" in key
        ? isUuid(key.id)
          ? await loaders.productById.load(key.id)
          : null
        : await findProductBySlug(db, key.slug);
    if (!product || !isVisibleProduct(product, caller)) throw new NotFoundError("No product has this id or slug.");
    return product;
  },

  async productVariant(_parent, { id }, { caller, loaders }) {
    const variant = isUuid(id) ? await loaders.variantById.load(id) : null;
    const product = variant ? await loaders.productById.load(variant.productId) : null;
    if (!variant || !product || ((variant.archived || !isVisibleProduct(product, caller)) && !isCatalogStaff(caller)))
      throw new NotFoundError("No variant has this id.");
    return variant;
  },

  async categories(_parent, _args, { db }) {
    return parentsBeforeChildren(await listCategories(db));
  },

  async category(_parent, args, { db, loaders }) {
    const key = idOrSlug(args);
    const category =
      "id" in key
        ? isUuid(key.id)
          ? await loaders.categoryById.load(key.id)
          : null
        : await findCategoryBySlug(db, key.slug);
    if (!category) throw new NotFoundError("No category has this id or slug.");
    return category;
  },

  async searchSuggestions(_parent, args, { db }) {
    const prefix = requiredText(args.prefix, "prefix", { max: 100 });
    const size = boundedInt(args.first ?? 10, "first", { min: 1, max: 20 });
    return findSuggestions(db, prefix, size);
  },
};
