import { BadUserInputError, ConflictError } from "../../common/errors";
import { violatesUnique } from "../../common/database/uniqueViolation";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import { toMoney } from "../../common/money";
import type { ProductsTx } from "../store/database";
import { findCategoriesByIds, insertCategory } from "../store/categoryStore";
import { insertProduct } from "../store/productStore";
import type { CategoryRecord, ProductRecord } from "../store/records";
import { validateNewCategory, type CategoryFields } from "./categoryInput";
import { validateNewProduct, type ProductFields } from "./productInput";

export interface CatalogDependencies {
  unitOfWork: UnitOfWork<ProductsTx>;
}

async function requireCategory(tx: ProductsTx, id: string | null, field: string): Promise<void> {
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

/** Adds a product and announces it (`catalog.product.created`) in the same transaction. */
export async function createProduct(deps: CatalogDependencies, input: ProductFields): Promise<ProductRecord> {
  const product = validateNewProduct(input);
  try {
    return await deps.unitOfWork(async (tx, emit) => {
      await requireCategory(tx, product.categoryId, "categoryId");
      const created = await insertProduct(tx, product);
      emit("catalog.product.created", {
        productId: created.id,
        sku: created.sku,
        name: created.name,
        price: toMoney(created.priceMinor, created.currency),
        categoryId: created.categoryId,
      });
      return created;
    });
  } catch (error) {
    return conflictOnUnique(error, ["sku", "slug"]);
  }
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
