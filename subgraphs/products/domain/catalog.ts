import { randomUUID } from "node:crypto";
import type { Caller } from "../../common/auth/caller";
import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import { violatesUnique } from "../../common/database/uniqueViolation";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import { isUuid } from "../../common/validation";
import type { ProductsTx } from "../store/database";
import { findCategoriesByIds } from "../store/categoryStore";
import { changeProduct, findProductsByIds, insertProduct, lockProduct, touchProducts } from "../store/productStore";
import type { ProductRecord } from "../store/records";
import { changeVariant, findOptionsOfProducts, findVariantsOfProducts } from "../store/variantStore";
import { announceCreated, announceUpdated } from "./productEvents";
import { auditCatalog, productAuditView } from "./catalogAudit";
import {
  validateNewProduct,
  validateProductChanges,
  type ProductFieldChanges,
  type ProductFields,
} from "./productInput";

export interface CatalogDependencies {
  unitOfWork: UnitOfWork<ProductsTx>;
  /** Who asks (the request's caller), for the audit log of catalog changes. */
  caller?: Caller | null;
}

export async function requireCategory(tx: ProductsTx, id: string | null | undefined, field: string): Promise<void> {
  if (!id) return;
  const [found] = await findCategoriesByIds(tx, [id]);
  if (!found) throw new BadUserInputError(`No category has the id ${id}.`, field);
}

export function conflictOnUnique(error: unknown, columns: readonly string[]): never {
  for (const column of columns) {
    if (violatesUnique(error, column)) throw new ConflictError(`Another record already uses this ${column}.`, column);
  }
  throw error;
}

/** Whether an error is one of ours for the client (it passes through the unique-violation mapping). */
export const isDomainError = (error: unknown) =>
  error instanceof NotFoundError || error instanceof BadUserInputError || error instanceof ConflictError;

/**
 * Adds a product with its first variant (made of `sku` and `price`, and given the product's own
 * id), and announces it (`catalog.product.created`) in the same transaction.
 */
export async function createProduct(deps: CatalogDependencies, input: ProductFields): Promise<ProductRecord> {
  const product = validateNewProduct(input);
  try {
    return await deps.unitOfWork(async (tx, emit) => {
      await requireCategory(tx, product.categoryId, "categoryId");
      const id = randomUUID();
      await insertProduct(tx, id, product);
      const created = await touchProducts(tx, [id]);
      await announceCreated(tx, emit, created);
      await auditCatalog(tx, emit, deps.caller, {
        entityType: "PRODUCT",
        entityId: id,
        action: "product.created",
        before: null,
        after: await productAuditView(tx, created[0]!),
      });
      return created[0]!;
    });
  } catch (error) {
    if (isDomainError(error)) throw error;
    return conflictOnUnique(error, ["sku", "slug"]);
  }
}

/**
 * Changes a product and announces it as it now is (`catalog.product.updated`). `sku` and `price`
 * change its only variant; for a product with options they are BAD_USER_INPUT (its variants have
 * their own).
 */
export async function updateProduct(
  deps: CatalogDependencies,
  id: string,
  input: ProductFieldChanges,
): Promise<ProductRecord> {
  const changes = validateProductChanges(input);
  try {
    const updated = await deps.unitOfWork(async (tx, emit) => {
      if (!isUuid(id) || !(await lockProduct(tx, id))) return null;
      const before = await productAuditView(tx, (await findProductsByIds(tx, [id]))[0]!);
      await requireCategory(tx, changes.categoryId, "categoryId");
      if (changes.sku !== undefined || changes.priceMinor !== undefined) {
        const options = await findOptionsOfProducts(tx, [id]);
        const field = changes.sku !== undefined ? "sku" : "price";
        if (options.length > 0) {
          throw new BadUserInputError(
            `This product has options: its variants have their own \`${field}\` (change them with productVariantUpdate).`,
            field,
          );
        }
        const only = (await findVariantsOfProducts(tx, [id])).find((variant) => !variant.archived)!;
        await changeVariant(tx, only, {
          ...(changes.sku !== undefined ? { sku: changes.sku } : {}),
          ...(changes.priceMinor !== undefined ? { priceMinor: changes.priceMinor } : {}),
        });
      }
      await changeProduct(tx, id, changes);
      const [product] = await touchProducts(tx, [id]);
      await announceUpdated(tx, emit, [product!]);
      const after = await productAuditView(tx, product!);
      await auditCatalog(tx, emit, deps.caller, {
        entityType: "PRODUCT",
        entityId: id,
        action: "product.updated",
        before,
        after,
      });
      return product!;
    });
    if (!updated) throw new NotFoundError("No product has this id.");
    return updated;
  } catch (error) {
    if (isDomainError(error)) throw error;
    return conflictOnUnique(error, ["sku", "slug"]);
  }
}

/** Withdraws a product from sale (status ARCHIVED); orders that have it keep it. Archiving twice changes nothing. */
export async function archiveProduct(deps: CatalogDependencies, id: string): Promise<ProductRecord> {
  const archived = await deps.unitOfWork(async (tx, emit) => {
    if (!isUuid(id) || !(await lockProduct(tx, id))) return null;
    const current = await tx.product.findUniqueOrThrow({ where: { id }, select: { status: true } });
    if (current.status === "ARCHIVED") return (await findProductsByIds(tx, [id]))[0]!;
    await tx.product.update({ where: { id }, data: { status: "ARCHIVED" } });
    const [product] = await touchProducts(tx, [id]);
    await announceUpdated(tx, emit, [product!]);
    await auditCatalog(tx, emit, deps.caller, {
      entityType: "PRODUCT",
      entityId: id,
      action: "product.archived",
      before: { status: current.status },
      after: { status: "ARCHIVED" },
    });
    return product!;
  });
  if (!archived) throw new NotFoundError("No product has this id.");
  return archived;
}
