import { Prisma } from "../generated/prisma/client";
import type { ProductsReader, ProductsTx } from "./database";
import type { AttributeRecord, SelectedOptionValue, VariantImageRecord, VariantRecord } from "./records";

/** The columns of `VariantRecord`, for a statement `FROM product_variants v JOIN products p`. */
export const variantColumns = Prisma.sql`
  v.id::text AS id, v.product_id::text AS "productId", v.position, v.sku, v.title, v.selected_options AS "selectedOptions",
  v.options_key AS "optionsKey", v.price_minor AS "priceMinor", v.compare_at_price_minor AS "compareAtPriceMinor",
  v.weight_grams AS "weightGrams", v.barcode, v.archived, p.currency, v.created_at AS "createdAt", v.updated_at AS "updatedAt"`;

const uuids = (ids: readonly string[]) => Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`));

export function findVariantsByIds(db: ProductsReader, ids: readonly string[]): Promise<VariantRecord[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.$queryRaw<VariantRecord[]>`
    SELECT ${variantColumns} FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id IN (${uuids(ids)})`;
}

/** Every variant of these products, archived ones too, in the merchant's order. */
export function findVariantsOfProducts(db: ProductsReader, productIds: readonly string[]): Promise<VariantRecord[]> {
  if (productIds.length === 0) return Promise.resolve([]);
  return db.$queryRaw<VariantRecord[]>`
    SELECT ${variantColumns} FROM product_variants v JOIN products p ON p.id = v.product_id
     WHERE v.product_id IN (${uuids(productIds)})
     ORDER BY v.product_id, v.position`;
}

export async function findSkusTaken(db: ProductsReader, skus: readonly string[]): Promise<Set<string>> {
  const rows = await db.productVariant.findMany({ where: { sku: { in: [...skus] } }, select: { sku: true } });
  return new Set(rows.map((row) => row.sku));
}

export function findImagesOfVariants(db: ProductsReader, variantIds: readonly string[]): Promise<VariantImageRecord[]> {
  return db.variantImage.findMany({
    where: { variantId: { in: [...variantIds] } },
    orderBy: [{ variantId: "asc" }, { position: "asc" }],
  });
}

/** Attributes of products (not of their variants). */
export function findAttributesOfProducts(
  db: ProductsReader,
  productIds: readonly string[],
): Promise<AttributeRecord[]> {
  return db.productAttribute.findMany({
    where: { productId: { in: [...productIds] }, variantId: null },
    orderBy: [{ productId: "asc" }, { position: "asc" }],
  });
}

export function findAttributesOfVariants(
  db: ProductsReader,
  variantIds: readonly string[],
): Promise<AttributeRecord[]> {
  return db.productAttribute.findMany({
    where: { variantId: { in: [...variantIds] } },
    orderBy: [{ variantId: "asc" }, { position: "asc" }],
  });
}

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

export function findOptionsOfProducts(db: ProductsReader, productIds: readonly string[]) {
  return db.productOption.findMany({
    where: { productId: { in: [...productIds] } },
    orderBy: [{ productId: "asc" }, { position: "asc" }],
  });
}
