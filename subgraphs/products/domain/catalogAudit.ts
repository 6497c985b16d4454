import type { Caller } from "../../common/auth/caller";
import { recordAudit, type AuditChange } from "../../common/audit/recordAudit";
import type { Emit } from "../../common/events/unitOfWork";
import { toMoney } from "../../common/money";
import type { ProductsTx } from "../store/database";
import type { ProductRecord, VariantRecord } from "../store/records";
import { findVariantsOfProducts } from "../store/variantStore";

/** What the audit log keeps of a variant: what it sells as and for how much. */
export function variantAuditView(variant: VariantRecord) {
  return {
    sku: variant.sku,
    title: variant.title,
    price: toMoney(variant.priceMinor, variant.currency),
    compareAtPrice:
      variant.compareAtPriceMinor === null ? null : toMoney(variant.compareAtPriceMinor, variant.currency),
    archived: variant.archived,
  };
}

/** What the audit log keeps of a product: its own fields and each variant's SKU and price. */
export async function productAuditView(tx: ProductsTx, product: ProductRecord) {
  const variants = await findVariantsOfProducts(tx, [product.id]);
  return {
    name: product.name,
    slug: product.slug,
    status: product.status,
    categoryId: product.categoryId,
    variants: variants.map((variant) => ({ id: variant.id, ...variantAuditView(variant) })),
  };
}

/** Records a catalog change made by `caller` in the transaction of the change. */
export function auditCatalog(
  tx: ProductsTx,
  emit: Emit,
  caller: Caller | null | undefined,
  change: AuditChange,
): Promise<unknown> {
  return recordAudit(tx, emit, "products", caller, change);
}
