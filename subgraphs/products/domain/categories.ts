import { lockUntilCommit } from "../../common/database/advisoryLock";
import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import { isUuid, requiredId, requiredText, slug } from "../../common/validation";
import type { ProductsTx } from "../store/database";
import {
  ancestorsOf,
  findCategoriesByIds,
  insertCategory,
  lockCategory,
  moveChildren,
  removeCategory,
  updateCategoryFields,
} from "../store/categoryStore";
import { productIdsInCategory, touchProducts } from "../store/productStore";
import type { CategoryRecord } from "../store/records";
import { conflictOnUnique, isDomainError, requireCategory, type CatalogDependencies } from "./catalog";
import { validateNewCategory, type CategoryFields } from "./categoryInput";
import { auditCatalog } from "./catalogAudit";
import { announceUpdated } from "./productEvents";

/** Changes to the category tree happen one at a time, so two concurrent moves cannot make a cycle. */
const lockTree = (tx: ProductsTx) => lockUntilCommit(tx, "products:category-tree");

/** What the audit log keeps of a category: its name, slug and place in the tree. */
const categoryAuditView = (category: CategoryRecord) => ({
  name: category.name,
  slug: category.slug,
  parentId: category.parentId,
});

export async function createCategory(deps: CatalogDependencies, input: CategoryFields): Promise<CategoryRecord> {
  const category = validateNewCategory(input);
  try {
    return await deps.unitOfWork(async (tx, emit) => {
      await lockTree(tx);
      await requireCategory(tx, category.parentId, "parentId");
      const created = await insertCategory(tx, category);
      await auditCatalog(tx, emit, deps.caller, {
        entityType: "CATEGORY",
        entityId: created.id,
        action: "category.created",
        before: null,
        after: categoryAuditView(created),
      });
      return created;
    });
  } catch (error) {
    if (isDomainError(error)) throw error;
    return conflictOnUnique(error, ["slug"]);
  }
}

/** Changes to a category as a client sends them (CategoryUpdateInput); `parentId: null` makes it top-level. */
export interface CategoryChangeFields {
  name?: string | null;
  slug?: string | null;
  parentId?: string | null;
}

/** Renames or moves a category; it cannot move below itself. */
export async function updateCategory(
  deps: CatalogDependencies,
  id: string,
  input: CategoryChangeFields,
): Promise<CategoryRecord> {
  const changes: { name?: string; slug?: string; parentId?: string | null } = {};
  if (input.name !== undefined && input.name !== null) changes.name = requiredText(input.name, "name", { max: 100 });
  if (input.slug !== undefined && input.slug !== null) changes.slug = slug(input.slug, "slug");
  if (input.parentId !== undefined) changes.parentId = input.parentId ? requiredId(input.parentId, "parentId") : null;
  try {
    const updated = await deps.unitOfWork(async (tx, emit) => {
      await lockTree(tx);
      const [category] = isUuid(id) ? await findCategoriesByIds(tx, [id]) : [];
      if (!category) return null;
      if (changes.parentId) {
        await requireCategory(tx, changes.parentId, "parentId");
        if ((await ancestorsOf(tx, changes.parentId)).includes(id))
          throw new BadUserInputError("A category cannot move below itself or one of its sub-categories.", "parentId");
      }
      const changed = await updateCategoryFields(tx, id, changes);
      await auditCatalog(tx, emit, deps.caller, {
        entityType: "CATEGORY",
        entityId: category.id,
        action: "category.updated",
        before: categoryAuditView(category),
        after: categoryAuditView(changed),
      });
      return changed;
    });
    if (!updated) throw new NotFoundError("No category has this id.");
    return updated;
  } catch (error) {
    if (isDomainError(error)) throw error;
    return conflictOnUnique(error, ["slug"]);
  }
}

/**
 * Removes a category. Its sub-categories move up to its parent; its products move to
 * `moveProductsTo` (and are announced, their category having changed), and without it a category
 * that still files products is CONFLICT.
 */
export async function deleteCategory(
  deps: CatalogDependencies,
  id: string,
  moveProductsTo: string | null | undefined,
): Promise<true> {
  const target = moveProductsTo ? requiredId(moveProductsTo, "moveProductsToCategoryId") : null;
  if (target && target === id.toLowerCase())
    throw new BadUserInputError("The products cannot move to the category being removed.", "moveProductsToCategoryId");
  const removed = await deps.unitOfWork(async (tx, emit) => {
    await lockTree(tx);
    const category = isUuid(id) ? await lockCategory(tx, id) : null;
    if (!category) return false;
    await requireCategory(tx, target, "moveProductsToCategoryId");
    const products = await productIdsInCategory(tx, id);
    if (products.length > 0 && !target) {
      throw new ConflictError(
        `This category still files ${products.length} product${products.length === 1 ? "" : "s"}: give \`moveProductsToCategoryId\` to move them.`,
        "moveProductsToCategoryId",
      );
    }
    if (products.length > 0) {
      await tx.product.updateMany({ where: { categoryId: id }, data: { categoryId: target } });
      await announceUpdated(tx, emit, await touchProducts(tx, products));
    }
    await moveChildren(tx, id, category.parentId);
    await removeCategory(tx, id);
    await auditCatalog(tx, emit, deps.caller, {
      entityType: "CATEGORY",
      entityId: category.id,
      action: "category.deleted",
      // Where its products went (how many, not which: a category may file thousands).
      before: { ...categoryAuditView(category), productCount: products.length },
      after: { productsMovedTo: target },
    });
    return true;
  });
  if (!removed) throw new NotFoundError("No category has this id.");
  return true;
}
