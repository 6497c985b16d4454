import type { Caller } from "../../common/auth/caller";
import { hasPermission } from "../../common/auth/permissions";
import type { ProductRecord, VariantRecord } from "../store/records";

/** Whether the caller works on the catalog (CATALOG): they see drafts, archived products and variants. */
export function isCatalogStaff(caller: Caller | null | undefined): boolean {
  return hasPermission(caller, "CATALOG");
}

/** Customers see products for sale; the back office sees drafts and archived products too. */
export function isVisibleProduct(product: Pick<ProductRecord, "status">, caller: Caller | null | undefined): boolean {
  return product.status === "ACTIVE" || isCatalogStaff(caller);
}

/** The variants a caller sees: those for sale, or all of them for the back office. */
export function visibleVariants(
  variants: readonly VariantRecord[],
  caller: Caller | null | undefined,
): VariantRecord[] {
  return isCatalogStaff(caller) ? [...variants] : variants.filter((variant) => !variant.archived);
}
