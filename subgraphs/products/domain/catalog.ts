import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import { violatesUnique } from "../../common/database/uniqueViolation";
import type { Emit, UnitOfWork } from "../../common/events/unitOfWork";
import { toMoney } from "../../common/money";
import { isUuid } from "../../common/validation";
import type { ProductsTx } from "../store/database";
import { findCategoriesByIds, insertCategory } from "../store/categoryStore";
import { changeProduct, insertProduct } from "../store/productStore";
import type { CategoryRecord, ProductRecord } from "../store/records";
import { validateNewCategory, type CategoryFields } from "./categoryInput";
import {
  validateNewProduct,
  validateProductChanges,
  type ProductFieldChanges,
  type ProductFields,
} from "./productInput";

export interface CatalogDependencies {
  unitOfWork: UnitOfWork<ProductsTx>;
}

async function requireCategory(tx: ProductsTx, id: string | null | undefined, field: string): Promise<void> {
  if (!id) return;
  const [found] = await findCategoriesByIds(tx, [id]);
  if (!found) throw new BadUserInputError(`No category has the id ${id}.`, field);
}

function conflictOnUnique(error: unknown, columns: readonly string[]): never {
  for (const column of columns) {
    if (violatesUnique(error, column)) throw new ConflictError(`Another record already uses this ${column}.`, column);
  }
  throw error;
}

function productFacts(product: ProductRecord) {
  return {
    productId: product.id,
    sku: product.sku,
    name: product.name,
    price: toMoney(product.priceMinor, product.currency),
    categoryId: product.categoryId,
    updatedAt: product.updatedAt.toISOString(),
  };
}

function announceUpdate(emit: Emit, product: ProductRecord): void {
  emit("catalog.product.updated", { ...productFacts(product), archived: product.archived });
}

/** Adds a product and announces it (`catalog.product.created`) in the same transaction. */
export async function createProduct(deps: CatalogDependencies, input: ProductFields): Promise<ProductRecord> {
  const product = validateNewProduct(input);
  try {
    return await deps.unitOfWork(async (tx, emit) => {
      await requireCategory(tx, product.categoryId, "categoryId");
      const created = await insertProduct(tx, product);
      emit("catalog.product.created", productFacts(created));
      return created;
    });
  } catch (error) {
    return conflictOnUnique(error, ["sku", "slug"]);
  }
}

/** Changes a product and announces it as it now is (`catalog.product.updated`). */
export async function updateProduct(
  deps: CatalogDependencies,
  id: string,
  input: ProductFieldChanges,
): Promise<ProductRecord> {
  const changes = validateProductChanges(input);
  try {
    const updated = await deps.unitOfWork(async (tx, emit) => {
      await requireCategory(tx, changes.categoryId, "categoryId");
      const product = isUuid(id) ? await changeProduct(tx, id, changes) : null;
      if (product) announceUpdate(emit, product);
      return product;
    });
    if (!updated) throw new NotFoundError("No product has this id.");
    return updated;
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof BadUserInputError) throw error;
    return conflictOnUnique(error, ["sku", "slug"]);
  }
}

/** Withdraws a product from sale; orders that have it keep it. Archiving twice changes nothing. */
export async function archiveProduct(deps: CatalogDependencies, id: string): Promise<ProductRecord> {
  const archived = await deps.unitOfWork(async (tx, emit) => {
    const product = isUuid(id) ? await tx.product.findUnique({ where: { id } }) : null;
    if (!product || product.archived) return product;
    const changed = await tx.product.update({ where: { id }, data: { archived: true } });
    announceUpdate(emit, changed);
    return changed;
  });
  if (!archived) throw new NotFoundError("No product has this id.");
  return archived;
}

export async function createCategory(deps: CatalogDependencies, input: CategoryFields): Promise<CategoryRecord> {
  const category = validateNewCategory(input);
  try {
    return await deps.unitOfWork(async (tx) => {
      await requireCategory(tx, category.parentId, "parentId");
      return insertCategory(tx, category);
    });
  } catch (error) {
    return conflictOnUnique(error, ["slug"]);
  }
}
