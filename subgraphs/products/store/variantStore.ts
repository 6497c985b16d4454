import { anyOfParameter, sqlOfIds, statement } from "../../common/database/sqlPool";
import { Prisma } from "../generated/prisma/client";
import type { ProductsReader, ProductsTx } from "./database";
import type {
  AttributeRecord,
  ProductOptionRecord,
  SelectedOptionValue,
  VariantImageRecord,
  VariantRecord,
} from "./records";

/** The columns of `VariantRecord`, for a statement `FROM product_variants v JOIN products p`. */
export const variantColumns = `
  v.id::text AS id, v.product_id::text AS "productId", v.position, v.sku, v.title, v.selected_options AS "selectedOptions",
  v.options_key AS "optionsKey", v.price_minor AS "priceMinor", v.compare_at_price_minor AS "compareAtPriceMinor",
  v.weight_grams AS "weightGrams", v.barcode, v.archived, p.currency, v.created_at AS "createdAt", v.updated_at AS "updatedAt"`;

const variantsByIds = statement(
  "products.variant.byIds",
  `SELECT ${variantColumns} FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id = ${anyOfParameter("$1")}`,
);

const variantsOfProducts = statement(
  "products.variant.ofProducts",
  `SELECT ${variantColumns} FROM product_variants v JOIN products p ON p.id = v.product_id
    WHERE v.product_id = ${anyOfParameter("$1")}
    ORDER BY v.product_id, v.position`,
);

export const findVariantsByIds = sqlOfIds<VariantRecord>(variantsByIds);

/** Every variant of these products, archived ones too, in the merchant's order. */
export const findVariantsOfProducts = sqlOfIds<VariantRecord>(variantsOfProducts);

export async function findSkusTaken(db: ProductsReader, skus: readonly string[]): Promise<Set<string>> {
  const rows = await db.productVariant.findMany({ where: { sku: { in: [...skus] } }, select: { sku: true } });
  return new Set(rows.map((row) => row.sku));
}

const imagesOfVariants = statement(
  "products.variant.images",
  `SELECT id::text AS id, variant_id::text AS "variantId", position, url, alt
     FROM variant_images WHERE variant_id = ${anyOfParameter("$1")} ORDER BY variant_id, position`,
);

/** The pictures of these variants, each variant's in display order. */
export const findImagesOfVariants = sqlOfIds<VariantImageRecord>(imagesOfVariants);

const attributeColumns = `id::text AS id, product_id::text AS "productId", variant_id::text AS "variantId", position, name, value`;

const attributesOfProducts = statement(
  "products.product.attributes",
  `SELECT ${attributeColumns} FROM product_attributes
    WHERE product_id = ${anyOfParameter("$1")} AND variant_id IS NULL ORDER BY product_id, position`,
);

const attributesOfVariants = statement(
  "products.variant.attributes",
  `SELECT ${attributeColumns} FROM product_attributes WHERE variant_id = ${anyOfParameter("$1")} ORDER BY variant_id, position`,
);

/** Attributes of products (not of their variants). */
export const findAttributesOfProducts = sqlOfIds<AttributeRecord>(attributesOfProducts);

/** Attributes of variants. */
export const findAttributesOfVariants = sqlOfIds<AttributeRecord>(attributesOfVariants);

/** What a variant is made of, as the store writes it. */
export interface VariantFields {
  sku: string;
  title: string;
  selectedOptions: SelectedOptionValue[];
  optionsKey: string;
  priceMinor: bigint;
  compareAtPriceMinor: bigint | null;
  weightGrams: number | null;
  barcode: string | null;
  images: Array<{ url: string; alt: string }>;
  attributes: Array<{ name: string; value: string }>;
}

export async function insertVariant(
  tx: ProductsTx,
  productId: string,
  position: number,
  variant: VariantFields,
): Promise<string> {
  const created = await tx.productVariant.create({
    data: {
      productId,
      position,
      sku: variant.sku,
      title: variant.title,
      selectedOptions: variant.selectedOptions as unknown as Prisma.InputJsonValue,
      optionsKey: variant.optionsKey,
      priceMinor: variant.priceMinor,
      compareAtPriceMinor: variant.compareAtPriceMinor,
      weightGrams: variant.weightGrams,
      barcode: variant.barcode,
      images: { create: variant.images.map((image, index) => ({ position: index, url: image.url, alt: image.alt })) },
      attributes: {
        create: variant.attributes.map((attribute, index) => ({ productId, position: index, ...attribute })),
      },
    },
    select: { id: true },
  });
  return created.id;
}

/** Changes a variant's own fields; `images` and `attributes`, when given, replace the old ones. */
export async function changeVariant(
  tx: ProductsTx,
  variant: { id: string; productId: string },
  changes: Partial<VariantFields> & { archived?: boolean },
): Promise<void> {
  const { images, attributes, selectedOptions, ...fields } = changes;
  await tx.productVariant.update({
    where: { id: variant.id },
    data: {
      ...fields,
      ...(selectedOptions ? { selectedOptions: selectedOptions as unknown as Prisma.InputJsonValue } : {}),
    },
  });
  if (images) {
    await tx.variantImage.deleteMany({ where: { variantId: variant.id } });
    await tx.variantImage.createMany({
      data: images.map((image, position) => ({ variantId: variant.id, position, url: image.url, alt: image.alt })),
    });
  }
  if (attributes) {
    await tx.productAttribute.deleteMany({ where: { variantId: variant.id } });
    await tx.productAttribute.createMany({
      data: attributes.map((attribute, position) => ({
        productId: variant.productId,
        variantId: variant.id,
        position,
        ...attribute,
      })),
    });
  }
}

/** Replaces a product's options by these, in this order. */
export async function replaceOptions(
  tx: ProductsTx,
  productId: string,
  options: ReadonlyArray<{ name: string; values: string[] }>,
): Promise<void> {
  await tx.productOption.deleteMany({ where: { productId } });
  await tx.productOption.createMany({
    data: options.map((option, position) => ({ productId, position, name: option.name, values: option.values })),
  });
}

const optionsOfProducts = statement(
  "products.product.options",
  `SELECT id::text AS id, product_id::text AS "productId", position, name, "values"
     FROM product_options WHERE product_id = ${anyOfParameter("$1")} ORDER BY product_id, position`,
);

/** The options of these products, each product's in the merchant's order. */
export const findOptionsOfProducts = sqlOfIds<ProductOptionRecord>(optionsOfProducts);
