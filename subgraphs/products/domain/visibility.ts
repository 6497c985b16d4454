import { isAdmin, type Caller } from "../../common/auth/caller";
import type { ProductRecord, VariantRecord } from "../store/records";

/** Customers see products for sale; the back office sees drafts and archived products too. */
export function isVisibleProduct(product: Pick<ProductRecord, "status">, caller: Caller | null | undefined): boolean {
  return product.status === "ACTIVE" || isAdmin(caller);
}

/** The variants a caller sees: those for sale, or all of them for the back office. */
export function visibleVariants(
  variants: readonly VariantRecord[],
  caller: Caller | null | undefined,
): VariantRecord[] {
  return isAdmin(caller) ? [...variants] : variants.filter((variant) => !variant.archived);
}
