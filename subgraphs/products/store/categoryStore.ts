import { anyOfParameter, sqlOfIds, statement } from "../../common/database/sqlPool";
import type { NewCategory } from "../domain/categoryInput";
import type { ProductsReader, ProductsTx } from "./database";
import type { CategoryRecord } from "./records";

export function listCategories(db: ProductsReader): Promise<CategoryRecord[]> {
  return db.category.findMany({ orderBy: [{ name: "asc" }] });
}

const categoryColumns = `id::text AS id, name, slug, parent_id::text AS "parentId", created_at AS "createdAt"`;

const categoriesByIds = statement(
  "products.category.byIds",
  `SELECT ${categoryColumns} FROM categories WHERE id = ${anyOfParameter("$1")}`,
);

const childrenOfCategories = statement(
  "products.category.children",
  `SELECT ${categoryColumns} FROM categories WHERE parent_id = ${anyOfParameter("$1")} ORDER BY name`,
);

export const findCategoriesByIds = sqlOfIds<CategoryRecord>(categoriesByIds);

/** The category, locked until the transaction ends (a product filed under it meanwhile waits, then sees it gone). */
export async function lockCategory(tx: ProductsTx, id: string): Promise<CategoryRecord | null> {
  const [row] = await tx.$queryRaw<
    Array<{ id: string }>
  >`SELECT id::text AS id FROM categories WHERE id = ${id}::uuid FOR UPDATE`;
  if (!row) return null;
  return tx.category.findUnique({ where: { id } });
}

export function findCategoryBySlug(db: ProductsReader, slug: string): Promise<CategoryRecord | null> {
  return db.category.findUnique({ where: { slug } });
}

/** The categories directly below these, by name. */
export const findChildrenOfCategories = sqlOfIds<CategoryRecord>(childrenOfCategories);

export function insertCategory(tx: ProductsTx, category: NewCategory): Promise<CategoryRecord> {
  return tx.category.create({ data: { name: category.name, slug: category.slug, parentId: category.parentId } });
}

/** The category and every category above it, nearest first. */
export async function ancestorsOf(db: ProductsReader, id: string): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    WITH RECURSIVE up(id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM categories WHERE id = ${id}::uuid
      UNION ALL SELECT c.id, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id WHERE up.depth < 100
    ) SELECT id::text AS id FROM up ORDER BY depth`;
  return rows.map((row) => row.id);
}

export function updateCategoryFields(
  tx: ProductsTx,
  id: string,
  changes: { name?: string; slug?: string; parentId?: string | null },
): Promise<CategoryRecord> {
  return tx.category.update({ where: { id }, data: changes });
}

export async function moveChildren(tx: ProductsTx, fromId: string, toId: string | null): Promise<void> {
  await tx.category.updateMany({ where: { parentId: fromId }, data: { parentId: toId } });
}

export async function removeCategory(tx: ProductsTx, id: string): Promise<void> {
  await tx.category.delete({ where: { id } });
}
