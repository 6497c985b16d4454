import type { NewCategory } from "../domain/categoryInput";
import type { ProductsReader, ProductsTx } from "./database";
import type { CategoryRecord } from "./records";

export function listCategories(db: ProductsReader): Promise<CategoryRecord[]> {
  return db.category.findMany({ orderBy: [{ name: "asc" }] });
}

export function findCategoriesByIds(db: ProductsReader, ids: readonly string[]): Promise<CategoryRecord[]> {
  return db.category.findMany({ where: { id: { in: [...ids] } } });
}

export function findChildrenOfCategories(db: ProductsReader, parentIds: readonly string[]): Promise<CategoryRecord[]> {
  return db.category.findMany({ where: { parentId: { in: [...parentIds] } }, orderBy: [{ name: "asc" }] });
}

export function insertCategory(tx: ProductsTx, category: NewCategory): Promise<CategoryRecord> {
  return tx.category.create({ data: { name: category.name, slug: category.slug, parentId: category.parentId } });
}
