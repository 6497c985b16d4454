import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import { isUuid } from "../../common/validation";
import type { ProductsTx } from "../store/database";
import { lockProduct, touchProducts } from "../store/productStore";
import type { ProductRecord, VariantRecord } from "../store/records";
import {
  changeVariant,
  findOptionsOfProducts,
  findSkusTaken,
  findVariantsByIds,
  findVariantsOfProducts,
  insertVariant,
  replaceOptions,
  type VariantFields,
} from "../store/variantStore";
import { conflictOnUnique, isDomainError, type CatalogDependencies } from "./catalog";
import { announceUpdated } from "./productEvents";
import { auditCatalog, variantAuditView } from "./catalogAudit";
import {
  maxVariantsPerProduct,
  maxVariantsPerRequest,
  validateNewVariant,
  validateVariantChanges,
  type VariantCreateFields,
  type VariantUpdateFields,
} from "./variantInput";
import {
  optionsKeyOf,
  remapSelectedOptions,
  resolveSelectedOptions,
  validateOptions,
  variantTitleOf,
  type OptionDefinition,
} from "./variantOptions";

/** The product, locked for the transaction, with its options and every variant; null when there is none. */
async function lockedProduct(tx: ProductsTx, productId: string) {
  if (!isUuid(productId) || !(await lockProduct(tx, productId))) return null;
  const options: OptionDefinition[] = (await findOptionsOfProducts(tx, [productId])).map(({ name, values }) => ({
    name,
    values,
  }));
  return { options, variants: await findVariantsOfProducts(tx, [productId]) };
}

/** Marks the product changed and announces it with its variants. */
async function settle(
  tx: ProductsTx,
  emit: Parameters<Parameters<CatalogDependencies["unitOfWork"]>[0]>[1],
  productId: string,
): Promise<ProductRecord> {
  const [product] = await touchProducts(tx, [productId]);
  await announceUpdated(tx, emit, [product!]);
  return product!;
}

const forSale = (variants: readonly VariantRecord[]) => variants.filter((variant) => !variant.archived);

/**
 * Sets a product's options. Variants for sale keep their values where the option stays, take the
 * first value of an option new to the product, and drop an option removed; a value still used
 * by a variant for sale cannot be removed, and no two variants for sale may end up with the same
 * values. Archived variants keep what they were.
 */
export async function setProductOptions(
  deps: CatalogDependencies,
  productId: string,
  input: ReadonlyArray<{ name: string; values: readonly string[] }>,
): Promise<ProductRecord> {
  const options = validateOptions(input);
  const product = await deps.unitOfWork(async (tx, emit) => {
    const current = await lockedProduct(tx, productId);
    if (!current) return null;
    const selling = forSale(current.variants);
    if (options.length === 0 && selling.length > 1) {
      throw new BadUserInputError(
        `This product has ${selling.length} variants for sale: it needs options to tell them apart (archive all but one first).`,
        "options",
      );
    }
    const remapped = selling.map((variant) => {
      const outcome = remapSelectedOptions(variant.selectedOptions, options);
      if ("missing" in outcome) {
        const { option, value, index } = outcome.missing;
        throw new BadUserInputError(
          `The variant ${variant.sku} stands for ${option} ${value}: keep that value, or archive the variant first.`,
          `options.${index}.values`,
        );
      }
      return { variant, selected: outcome.selected, key: optionsKeyOf(outcome.selected) };
    });
    const byKey = new Map<string, string>();
    for (const { variant, key } of remapped) {
      const other = byKey.get(key);
      if (other)
        throw new BadUserInputError(
          `The variants ${other} and ${variant.sku} would stand for the same values.`,
          "options",
        );
      byKey.set(key, variant.sku);
    }
    await replaceOptions(tx, productId, options);
    for (const { variant, selected, key } of remapped) {
      if (key === variant.optionsKey && variantTitleOf(selected) === variant.title) continue;
      await changeVariant(tx, variant, { selectedOptions: selected, optionsKey: key, title: variantTitleOf(selected) });
    }
    await auditCatalog(tx, emit, deps.caller, {
      entityType: "PRODUCT",
      entityId: productId,
      action: "product.options_set",
      before: {
        options: current.options,
        variants: selling.map((variant) => ({ id: variant.id, sku: variant.sku, title: variant.title })),
      },
      after: {
        options,
        variants: remapped.map(({ variant, selected }) => ({
          id: variant.id,
          sku: variant.sku,
          title: variantTitleOf(selected),
        })),
      },
    });
    return settle(tx, emit, productId);
  });
  if (!product) throw new NotFoundError("No product has this id.", "productId");
  return product;
}

/** Adds variants to a product with options; each stands for values no variant for sale stands for yet. */
export async function createVariants(
  deps: CatalogDependencies,
  productId: string,
  input: readonly VariantCreateFields[],
): Promise<VariantRecord[]> {
  if (input.length === 0 || input.length > maxVariantsPerRequest)
    throw new BadUserInputError(`Give 1 to ${maxVariantsPerRequest} variants.`, "variants");
  const checked = input.map((variant, index) => validateNewVariant(variant, `variants.${index}`));
  const skus = new Map<string, number>();
  checked.forEach((variant, index) => {
    if (skus.has(variant.sku))
      throw new BadUserInputError(`Two variants have the SKU ${variant.sku}.`, `variants.${index}.sku`);
    skus.set(variant.sku, index);
  });
  try {
    const created = await deps.unitOfWork(async (tx, emit) => {
      const current = await lockedProduct(tx, productId);
      if (!current) return null;
      if (current.variants.length + input.length > maxVariantsPerProduct) {
        throw new ConflictError(
          `A product has at most ${maxVariantsPerProduct} variants (archived ones count); this one has ${current.variants.length}.`,
          "variants",
        );
      }
      const taken = new Map(forSale(current.variants).map((variant) => [variant.optionsKey, variant.sku]));
      const fields: VariantFields[] = checked.map((variant, index) => {
        const field = `variants.${index}.selectedOptions`;
        const selected = resolveSelectedOptions(current.options, input[index]!.selectedOptions, field);
        const key = optionsKeyOf(selected);
        const existing = taken.get(key);
        if (existing) {
          const clash = `The variant ${existing} already stands for ${variantTitleOf(selected)}.`;
          if (skus.has(existing)) throw new BadUserInputError(clash, field);
          throw new ConflictError(clash, field);
        }
        taken.set(key, variant.sku);
        return { ...variant, selectedOptions: selected, optionsKey: key, title: variantTitleOf(selected) };
      });
      for (const sku of await findSkusTaken(tx, [...skus.keys()])) {
        throw new ConflictError(`Another variant already uses the SKU ${sku}.`, `variants.${skus.get(sku)}.sku`);
      }
      const last = current.variants.reduce((max, variant) => Math.max(max, variant.position), -1);
      const ids: string[] = [];
      for (const [index, variant] of fields.entries())
        ids.push(await insertVariant(tx, productId, last + 1 + index, variant));
      await settle(tx, emit, productId);
      const byId = new Map((await findVariantsByIds(tx, ids)).map((variant) => [variant.id, variant]));
      for (const id of ids) {
        await auditCatalog(tx, emit, deps.caller, {
          entityType: "PRODUCT_VARIANT",
          entityId: id,
          action: "variant.created",
          before: null,
          after: { productId, ...variantAuditView(byId.get(id)!) },
        });
      }
      return ids.map((id) => byId.get(id)!);
    });
    if (!created) throw new NotFoundError("No product has this id.", "productId");
    return created;
  } catch (error) {
    if (isDomainError(error)) throw error;
    return conflictOnUnique(error, ["sku"]);
  }
}

/** The variant's product id, so its product can be locked first. */
async function productOfVariant(tx: ProductsTx, id: string): Promise<string | null> {
  if (!isUuid(id)) return null;
  const [variant] = await findVariantsByIds(tx, [id]);
  return variant?.productId ?? null;
}

/** Changes a variant; new option values must be the product's and not another variant's for sale. */
export async function updateVariant(
  deps: CatalogDependencies,
  id: string,
  input: VariantUpdateFields,
): Promise<VariantRecord> {
  const changes = validateVariantChanges(input);
  try {
    const updated = await deps.unitOfWork(async (tx, emit) => {
      const productId = await productOfVariant(tx, id);
      const current = productId ? await lockedProduct(tx, productId) : null;
      const variant = current?.variants.find((each) => each.id === id);
      if (!current || !variant) return null;
      let options: Partial<VariantFields> = {};
      if (input.selectedOptions) {
        const selected = resolveSelectedOptions(current.options, input.selectedOptions, "selectedOptions");
        const key = optionsKeyOf(selected);
        const clash = forSale(current.variants).find((each) => each.id !== id && each.optionsKey === key);
        if (clash && !variant.archived) {
          throw new ConflictError(
            `The variant ${clash.sku} already stands for ${variantTitleOf(selected)}.`,
            "selectedOptions",
          );
        }
        options = { selectedOptions: selected, optionsKey: key, title: variantTitleOf(selected) };
      }
      if (changes.sku && changes.sku !== variant.sku && (await findSkusTaken(tx, [changes.sku])).size > 0)
        throw new ConflictError(`Another variant already uses the SKU ${changes.sku}.`, "sku");
      await changeVariant(tx, variant, { ...changes, ...options });
      await settle(tx, emit, current.variants[0]!.productId);
      const changed = (await findVariantsByIds(tx, [id]))[0]!;
      await auditCatalog(tx, emit, deps.caller, {
        entityType: "PRODUCT_VARIANT",
        entityId: id,
        action: "variant.updated",
        before: { productId: variant.productId, ...variantAuditView(variant) },
        after: { productId: variant.productId, ...variantAuditView(changed) },
      });
      return changed;
    });
    if (!updated) throw new NotFoundError("No variant has this id.");
    return updated;
  } catch (error) {
    if (isDomainError(error)) throw error;
    return conflictOnUnique(error, ["sku"]);
  }
}

/** Withdraws one variant from sale; its product keeps at least one variant for sale (archive the product instead). */
export async function archiveVariant(deps: CatalogDependencies, id: string): Promise<VariantRecord> {
  const archived = await deps.unitOfWork(async (tx, emit) => {
    const productId = await productOfVariant(tx, id);
    const current = productId ? await lockedProduct(tx, productId) : null;
    const variant = current?.variants.find((each) => each.id === id);
    if (!current || !variant) return null;
    if (variant.archived) return variant;
    if (forSale(current.variants).length === 1) {
      throw new ConflictError(
        "This is the product's last variant for sale: archive the product (archiveProduct) instead.",
      );
    }
    await changeVariant(tx, variant, { archived: true });
    await settle(tx, emit, variant.productId);
    const changed = (await findVariantsByIds(tx, [id]))[0]!;
    await auditCatalog(tx, emit, deps.caller, {
      entityType: "PRODUCT_VARIANT",
      entityId: id,
      action: "variant.archived",
      before: { productId: variant.productId, ...variantAuditView(variant) },
      after: { productId: variant.productId, ...variantAuditView(changed) },
    });
    return changed;
  });
  if (!archived) throw new NotFoundError("No variant has this id.");
  return archived;
}
