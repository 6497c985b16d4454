import { BadUserInputError } from "../../common/errors";
import { parseAmount } from "../../common/money";
import { boundedInt } from "../../common/validation";
import { validateAttributes, type AttributeFields } from "./attributeInput";
import { validateImages, validateSku } from "./productInput";

/** A new variant as a client sends it (ProductVariantCreateInput). */
export interface VariantCreateFields {
  sku: string;
  price: string;
  compareAtPrice?: string | null;
  selectedOptions: ReadonlyArray<{ name: string; value: string }>;
  weight?: number | null;
  barcode?: string | null;
  images?: ReadonlyArray<{ url: string; alt?: string | null }> | null;
  attributes?: AttributeFields | null;
}

/** Changes to a variant as a client sends them (ProductVariantUpdateInput). */
export type VariantUpdateFields = { [K in keyof VariantCreateFields]?: VariantCreateFields[K] | null };

/** A variant's own fields once checked (its options are checked against its product's). */
export interface CheckedVariantFields {
  sku: string;
  priceMinor: bigint;
  compareAtPriceMinor: bigint | null;
  weightGrams: number | null;
  barcode: string | null;
  images: Array<{ url: string; alt: string }>;
  attributes: Array<{ name: string; value: string }>;
}

export const maxVariantsPerProduct = 100;
export const maxVariantsPerRequest = 50;
export const maxWeightGrams = 1_000_000;

const barcodePattern = /^[0-9A-Za-z-]{1,64}$/;

function barcode(value: string, field: string): string {
  const text = value.trim();
  if (!barcodePattern.test(text))
    throw new BadUserInputError("`barcode` must be 1 to 64 letters, digits or dashes.", field);
  return text;
}

/** Checks a new variant's own fields; `field` prefixes the names of the fields at fault (`variants.0`). */
export function validateNewVariant(input: VariantCreateFields, field: string): CheckedVariantFields {
  return {
    sku: validateSku(input.sku, `${field}.sku`),
    priceMinor: parseAmount(input.price, `${field}.price`),
    compareAtPriceMinor: input.compareAtPrice ? parseAmount(input.compareAtPrice, `${field}.compareAtPrice`) : null,
    weightGrams:
      input.weight === null || input.weight === undefined
        ? null
        : boundedInt(input.weight, `${field}.weight`, { min: 0, max: maxWeightGrams }),
    barcode: input.barcode ? barcode(input.barcode, `${field}.barcode`) : null,
    images: validateImages(input.images, `${field}.images`),
    attributes: validateAttributes(input.attributes, `${field}.attributes`),
  };
}

/** Checks changes to a variant: only the fields given; `null` clears an optional one. */
export function validateVariantChanges(input: VariantUpdateFields): Partial<CheckedVariantFields> {
  const changes: Partial<CheckedVariantFields> = {};
  if (input.sku !== undefined && input.sku !== null) changes.sku = validateSku(input.sku);
  if (input.price !== undefined && input.price !== null) changes.priceMinor = parseAmount(input.price, "price");
  if (input.compareAtPrice !== undefined)
    changes.compareAtPriceMinor = input.compareAtPrice ? parseAmount(input.compareAtPrice, "compareAtPrice") : null;
  if (input.weight !== undefined)
    changes.weightGrams =
      input.weight === null ? null : boundedInt(input.weight, "weight", { min: 0, max: maxWeightGrams });
  if (input.barcode !== undefined) changes.barcode = input.barcode ? barcode(input.barcode, "barcode") : null;
  if (input.images !== undefined && input.images !== null) changes.images = validateImages(input.images);
  if (input.attributes !== undefined && input.attributes !== null)
    changes.attributes = validateAttributes(input.attributes);
  return changes;
}
