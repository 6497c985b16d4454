import { graphqlData } from "./graphqlClient";

/** A variant as the builders answer it. */
export interface BuiltVariant {
  id: string;
  sku: string;
  title: string;
  selectedOptions: Array<{ name: string; value: string }>;
  price: { amount: string; currency: string };
}

/** A variant to build: its option values by option name, price, and stock (units, or units by location id). */
export interface VariantSpec {
  options: Record<string, string>;
  price: string;
  sku?: string;
  compareAtPrice?: string;
  stock?: number | Record<string, number>;
  attributes?: Record<string, string>;
}

const variantFields = "id sku title selectedOptions { name value } price { amount currency }";

const asAttributes = (attributes: Record<string, string | string[]> = {}) =>
  Object.entries(attributes).flatMap(([name, values]) =>
    (Array.isArray(values) ? values : [values]).map((value) => ({ name, value })),
  );

/** Small builders for catalog test data, through the API as the back office would do it. */
export class CatalogBuilder {
  private sequence = 0;
  constructor(
    private readonly url: string,
    private readonly adminToken: string,
  ) {}

  private request<T = Record<string, any>>(query: string, variables: Record<string, unknown>): Promise<T> {
    return graphqlData<T>(this.url, query, { token: this.adminToken, variables });
  }

  private unique(name: string): string {
    this.sequence += 1;
    return `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${this.sequence}-${Date.now().toString(36)}`;
  }

  async category(name: string, parentId?: string): Promise<{ id: string; name: string; slug: string }> {
    const { createCategory } = await this.request(
      `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id name slug } }`,
      { input: { name, slug: this.unique(name), parentId } },
    );
    return createCategory;
  }

  async product(fields: {
    name: string;
    price: string;
    description?: string;
    categoryId?: string;
    sku?: string;
    stock?: number;
    status?: "DRAFT" | "ACTIVE" | "ARCHIVED";
    attributes?: Record<string, string | string[]>;
  }): Promise<{ id: string; sku: string; name: string; slug: string; defaultVariant: { id: string } }> {
    const slug = this.unique(fields.name);
    const { createProduct } = await this.request(
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id sku name slug defaultVariant { id } } }`,
      {
        input: {
          sku: fields.sku ?? `SKU-${slug}`.slice(0, 64),
          name: fields.name,
          slug,
          description: fields.description ?? "",
          price: fields.price,
          categoryId: fields.categoryId,
          images: [{ url: `https://images.example.com/${slug}.jpg`, alt: fields.name }],
          status: fields.status,
          attributes: asAttributes(fields.attributes),
        },
      },
    );
    if (fields.stock) await this.adjustStock(createProduct.id, fields.stock);
    return createProduct;
  }

  /**
   * A product with options and variants, and their stock, in one call: the product is made with
   * its first variant, given its options, then the other variants are added (all for sale).
   */
  async productWithVariants(fields: {
    name: string;
    options: Array<{ name: string; values: string[] }>;
    variants: VariantSpec[];
    description?: string;
    categoryId?: string;
    attributes?: Record<string, string | string[]>;
  }): Promise<{ id: string; name: string; slug: string; variants: BuiltVariant[] }> {
    const [first, ...others] = fields.variants;
    if (!first) throw new Error("a product needs at least one variant");
    const product = await this.product({
      name: fields.name,
      price: first.price,
      sku: first.sku,
      description: fields.description,
      categoryId: fields.categoryId,
      attributes: fields.attributes,
    });
    await this.request(
      `mutation($id: ID!, $options: [ProductOptionInput!]!) { productOptionsSet(productId: $id, options: $options) { id } }`,
      { id: product.id, options: fields.options },
    );
    // The first variant took the first value of every option; it stands for the values asked of it.
    const { productVariantUpdate: firstVariant } = await this.request(
      `mutation($id: ID!, $input: ProductVariantUpdateInput!) { productVariantUpdate(id: $id, input: $input) { ${variantFields} } }`,
      {
        id: product.defaultVariant.id,
        input: {
          selectedOptions: Object.entries(first.options).map(([name, value]) => ({ name, value })),
          compareAtPrice: first.compareAtPrice,
          attributes: asAttributes(first.attributes),
        },
      },
    );
    const created: BuiltVariant[] = others.length
      ? (
          await this.request(
            `mutation($id: ID!, $variants: [ProductVariantCreateInput!]!) { productVariantsCreate(productId: $id, variants: $variants) { ${variantFields} } }`,
            {
              id: product.id,
              variants: others.map((variant, index) => ({
                sku: variant.sku ?? `${product.sku}-${index + 2}`.slice(0, 64),
                price: variant.price,
                compareAtPrice: variant.compareAtPrice,
                selectedOptions: Object.entries(variant.options).map(([name, value]) => ({ name, value })),
                attributes: asAttributes(variant.attributes),
              })),
            },
          )
        ).productVariantsCreate
      : [];
    const variants = [firstVariant as BuiltVariant, ...created];
    for (const [index, spec] of fields.variants.entries()) {
      const stock = typeof spec.stock === "number" ? { "": spec.stock } : (spec.stock ?? {});
      for (const [locationId, units] of Object.entries(stock)) {
        if (units) await this.adjustVariantStock(variants[index]!.id, units, { locationId: locationId || undefined });
      }
    }
    return { id: product.id, name: product.name, slug: product.slug, variants };
  }

  async adjustStock(productId: string, delta: number, extra: { lowStockThreshold?: number; reason?: string } = {}) {
    const { adjustStock } = await this.request(
      `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { onHand reserved available inStock lowStock } }`,
      { input: { productId, delta, reason: extra.reason ?? "delivery", lowStockThreshold: extra.lowStockThreshold } },
    );
    return adjustStock as { onHand: number; reserved: number; available: number; inStock: boolean; lowStock: boolean };
  }

  /** Changes a variant's units at a location (the first active one when none is named). */
  async adjustVariantStock(variantId: string, delta: number, extra: { locationId?: string; reason?: string } = {}) {
    const { adjustStock } = await this.request(
      `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { onHand reserved available } }`,
      { input: { variantId, locationId: extra.locationId, delta, reason: extra.reason ?? "delivery" } },
    );
    return adjustStock as { onHand: number; reserved: number; available: number };
  }

  /** A stock location (lower priority is reserved from first). */
  async location(name: string, priority = 100): Promise<{ id: string; name: string; priority: number }> {
    const { stockLocationCreate } = await this.request(
      `mutation($input: StockLocationCreateInput!) { stockLocationCreate(input: $input) { id name priority } }`,
      { input: { name: `${name} ${this.unique("")}`, priority } },
    );
    return stockLocationCreate;
  }
}
