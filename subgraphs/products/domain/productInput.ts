import { BadUserInputError } from "../../common/errors";
import { parseAmount, parseCurrency, type Currency } from "../../common/money";
import { httpUrl, optionalText, requiredId, requiredText, slug, slugify } from "../../common/validation";
import type { ProductStatus, TaxCategory } from "../store/records";
import { validateAttributes, type AttributeFields } from "./attributeInput";

/** A product's fields as a client sends them (CreateProductInput). */
export interface ProductFields {
  sku: string;
  name: string;
  slug?: string | null;
  description?: string | null;
  price: string;
  currency?: string | null;
  categoryId?: string | null;
  images?: ReadonlyArray<{ url: string; alt?: string | null }> | null;
  status?: ProductStatus | null;
  attributes?: AttributeFields | null;
  taxCategory?: TaxCategory | null;
}

/** A product's fields once checked and normalised (`sku` and `priceMinor` are its first variant's). */
export interface NewProduct {
  sku: string;
  name: string;
  slug: string;
  description: string;
  priceMinor: bigint;
  currency: Currency;
  categoryId: string | null;
  images: Array<{ url: string; alt: string }>;
  status: ProductStatus;
  attributes: Array<{ name: string; value: string }>;
  taxCategory: TaxCategory;
}

const skuPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const maxImages = 20;

export function validateSku(value: string, field = "sku"): string {
  const sku = value.trim().toUpperCase();
  if (!skuPattern.test(sku)) {
    throw new BadUserInputError("`sku` must be 1 to 64 letters, digits, dashes or underscores.", field);
  }
  return sku;
}

export function validateImages(images: ProductFields["images"], field = "images"): NewProduct["images"] {
  if (!images) return [];
  if (images.length > maxImages) throw new BadUserInputError(`A product has at most ${maxImages} images.`, field);
  return images.map((image, index) => ({
    url: httpUrl(image.url, `${field}.${index}.url`),
    alt: optionalText(image.alt, `${field}.${index}.alt`, 300) ?? "",
  }));
}

/** Checks and normalises a new product; throws BAD_USER_INPUT naming the field at fault. */
export function validateNewProduct(input: ProductFields): NewProduct {
  const name = requiredText(input.name, "name", { max: 200 });
  const derivedSlug = input.slug ? slug(input.slug, "slug") : slugify(name);
  if (!derivedSlug)
    throw new BadUserInputError("A slug cannot be made from this name; give `slug` explicitly.", "slug");
  return {
    sku: validateSku(input.sku),
    name,
    slug: derivedSlug,
    description: optionalText(input.description, "description", 10_000) ?? "",
    priceMinor: parseAmount(input.price, "price"),
    currency: parseCurrency(input.currency, "currency"),
    categoryId: input.categoryId ? requiredId(input.categoryId, "categoryId") : null,
    images: validateImages(input.images),
    status: input.status ?? "ACTIVE",
    attributes: validateAttributes(input.attributes),
    taxCategory: input.taxCategory ?? "STANDARD",
  };
}

/** Changes to a product as a client sends them (UpdateProductInput): every field optional. */
export type ProductFieldChanges = { [K in keyof ProductFields]?: ProductFields[K] | null };

/** Checked changes; only the fields the client gave. */
export type ProductChanges = Partial<NewProduct>;

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

export function validateProductChanges(input: ProductFieldChanges): ProductChanges {
  const changes: ProductChanges = {};
  if (given(input.sku)) changes.sku = validateSku(input.sku);
  if (given(input.name)) changes.name = requiredText(input.name, "name", { max: 200 });
  if (given(input.slug)) changes.slug = slug(input.slug, "slug");
  if (given(input.description)) changes.description = optionalText(input.description, "description", 10_000) ?? "";
  if (given(input.price)) changes.priceMinor = parseAmount(input.price, "price");
  if (given(input.currency)) changes.currency = parseCurrency(input.currency, "currency");
  if (given(input.categoryId)) changes.categoryId = requiredId(input.categoryId, "categoryId");
  if (given(input.images)) changes.images = validateImages(input.images);
  if (given(input.status)) changes.status = input.status;
  if (given(input.attributes)) changes.attributes = validateAttributes(input.attributes);
  if (given(input.taxCategory)) changes.taxCategory = input.taxCategory;
  return changes;
}
