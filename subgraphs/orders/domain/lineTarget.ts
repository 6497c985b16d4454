import { BadUserInputError, NotFoundError } from "../../common/errors";
import { requiredId } from "../../common/validation";
import {
  variantsOfProducts,
  viewVariants,
  type CatalogViewDependencies,
  type VariantView,
  type ViewOptions,
} from "./catalogView";

/** What a cart or order line names, as a client sends it: a variant, or a product with one variant. */
export interface LineTargetFields {
  productId?: string | null;
  variantId?: string | null;
}

/** A checked line target: exactly one id, with the input field that gave it. */
export type LineTarget = { kind: "variant" | "product"; id: string; field: string };

/** Exactly one of `variantId` and `productId`; `prefix` names where they sit in the input (`items.0.`). */
export function checkTarget(input: LineTargetFields, prefix = ""): LineTarget {
  const hasVariant = input.variantId !== null && input.variantId !== undefined;
  const hasProduct = input.productId !== null && input.productId !== undefined;
  if (hasVariant === hasProduct)
    throw new BadUserInputError("Give exactly one of `variantId` and `productId`.", `${prefix}variantId`);
  return hasVariant
    ? { kind: "variant", id: requiredId(input.variantId!, `${prefix}variantId`), field: `${prefix}variantId` }
    : { kind: "product", id: requiredId(input.productId!, `${prefix}productId`), field: `${prefix}productId` };
}

/**
 * The variant each target names, in order: NOT_FOUND when there is none, BAD_USER_INPUT on
 * `productId` for a product with options (a product id alone does not say which variant). Two
 * batched look-ups at most, whatever the number of targets.
 */
export async function resolveTargets(
  deps: CatalogViewDependencies,
  targets: readonly LineTarget[],
  options: ViewOptions = { availability: true },
): Promise<VariantView[]> {
  const variants = await viewVariants(
    deps,
    targets.filter((target) => target.kind === "variant").map((target) => target.id),
    options,
  );
  const products = await variantsOfProducts(
    deps,
    targets.filter((target) => target.kind === "product").map((target) => target.id),
    { availability: options.availability },
  );
  return targets.map((target) => {
    if (target.kind === "variant") {
      const view = variants.get(target.id);
      if (!view) throw new NotFoundError(`No variant has the id ${target.id}.`, target.field);
      return view;
    }
    const choice = products.get(target.id);
    if (!choice) throw new NotFoundError(`No product has the id ${target.id}.`, target.field);
    if (choice.kind === "has-options") {
      throw new BadUserInputError(
        `${choice.productName} comes in several variants: give the \`variantId\` of the one you want.`,
        target.field,
      );
    }
    return choice.view;
  });
}

/** The variant as a customer may buy it: for sale (its product ACTIVE, the variant not archived). */
export function requireForSale(view: VariantView, field: string): VariantView {
  if (!view.forSale) throw new BadUserInputError(`${displayName(view)} is no longer for sale.`, field);
  return view;
}

/** How a variant is named to customers: its product, and its title when the product has options. */
export function displayName(view: Pick<VariantView, "productName" | "title" | "hasOptions">): string {
  return view.hasOptions ? `${view.productName} (${view.title})` : view.productName;
}
