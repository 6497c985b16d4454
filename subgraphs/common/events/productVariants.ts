import type { EventData } from "./catalog";

/** The title of the one variant of a product without options (as Shopify names it). */
export const defaultVariantTitle = "Default Title";

/** One variant as a catalog event describes it. */
export type VariantFacts = NonNullable<EventData<"catalog.product.created">["variants"]>[number];

export type ProductStatusFact = "DRAFT" | "ACTIVE" | "ARCHIVED";

/**
 * The variants a catalog event describes, and the product's status. Events written before
 * products had variants carry none: their product is its one variant, with the product's own id,
 * SKU and price (as the products migration made it), and its status follows `archived`.
 */
export function variantsOfProductEvent(
  data: EventData<"catalog.product.created"> | EventData<"catalog.product.updated">,
): { status: ProductStatusFact; variants: VariantFacts[] } {
  const archived = "archived" in data && data.archived;
  const status = data.status ?? (archived ? "ARCHIVED" : "ACTIVE");
  const variants = data.variants ?? [
    {
      variantId: data.productId,
      sku: data.sku,
      title: defaultVariantTitle,
      price: data.price,
      selectedOptions: [],
      archived: false,
      image: null,
    },
  ];
  return { status, variants };
}
