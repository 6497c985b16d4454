import { BadUserInputError } from "../../common/errors";
import type { CatalogViewDependencies, VariantView } from "./catalogView";
import type { PricingLine } from "./pricing/pricingTypes";
import { requireForSale, resolveTargets, type LineTarget } from "./lineTarget";
import type { CatalogVariantRecord } from "../store/records";

/** A line to order: what it names, and how many. */
export interface RequestedLine {
  target: LineTarget;
  quantity: number;
}

/**
 * A line as the order keeps it: the variant with a snapshot of what it was (names, SKU, option
 * values, picture, unit price) when the order was placed, so later catalog changes leave the
 * order alone.
 */
export interface PricedLine {
  productId: string;
  variantId: string;
  productName: string;
  variantTitle: string;
  sku: string;
  selectedOptions: Array<{ name: string; value: string }>;
  imageUrl: string | null;
  imageAlt: string;
  quantity: number;
  unitPriceMinor: bigint;
}

export interface PricedLines {
  currency: string;
  lines: PricedLine[];
  /** Sum of the lines at their unit prices. */
  subtotalMinor: bigint;
  /** The same lines as the pricing function reads them (line id: the line's position). */
  pricingLines: PricingLine[];
}

/** A variant's line as the pricing function reads it. */
export function pricingLineOf(
  lineId: string,
  view: VariantView,
  quantity: number,
  unitPriceMinor: bigint,
): PricingLine {
  return {
    lineId,
    variantId: view.variantId,
    productId: view.productId,
    categoryIds: view.categoryId ? [view.categoryId] : [],
    unitPriceMinor,
    quantity,
    weightGrams: view.weightGrams,
    taxCategory: view.taxCategory,
  };
}

/** A cart's lines as lines to order (they name variants). */
export function requestedFromCart(items: ReadonlyArray<{ variantId: string; quantity: number }>): RequestedLine[] {
  return items.map(({ variantId, quantity }, index) => ({
    target: { kind: "variant", id: variantId, field: `items.${index}.variantId` },
    quantity,
  }));
}

/**
 * Prices lines at the variants' current prices and takes their snapshot: every variant must be
 * for sale, and all of them priced in one currency. Availability is not asked (the reservation
 * decides), so checkout does not depend on inventory answering. `known`: the read model's rows
 * of the variants, when the caller read them already.
 */
export async function priceLines(
  deps: CatalogViewDependencies,
  requested: readonly RequestedLine[],
  known: readonly CatalogVariantRecord[] = [],
): Promise<PricedLines> {
  const views = await resolveTargets(
    deps,
    requested.map((line) => line.target),
    { availability: false, known },
  );
  const currency = views[0]!.currency;
  const pricingLines: PricingLine[] = [];
  const lines = requested.map((line, index) => {
    const view = requireForSale(views[index]!, line.target.field);
    if (view.currency !== currency)
      throw new BadUserInputError("All items of an order must be priced in one currency.", "items");
    pricingLines.push(pricingLineOf(String(index), view, line.quantity, view.priceMinor));
    return {
      productId: view.productId,
      variantId: view.variantId,
      productName: view.productName,
      variantTitle: view.title,
      sku: view.sku,
      selectedOptions: view.selectedOptions,
      imageUrl: view.image?.url ?? null,
      imageAlt: view.image?.alt ?? "",
      quantity: line.quantity,
      unitPriceMinor: view.priceMinor,
    };
  });
  const subtotalMinor = lines.reduce((sum, line) => sum + line.unitPriceMinor * BigInt(line.quantity), 0n);
  return { currency, lines, subtotalMinor, pricingLines };
}
