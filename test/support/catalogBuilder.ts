import { graphqlData } from "./graphqlClient";

/** Small builders for catalog test data, through the API as the back office would do it. */
export class CatalogBuilder {
  private sequence = 0;
  constructor(
    private readonly url: string,
    private readonly adminToken: string,
  ) {}

  async category(name: string, parentId?: string): Promise<{ id: string; name: string; slug: string }> {
    this.sequence += 1;
    const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${this.sequence}`;
    const { createCategory } = await graphqlData(
      this.url,
      `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id name slug } }`,
      {
        token: this.adminToken,
        variables: { input: { name, slug, parentId } },
      },
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
  }): Promise<{ id: string; sku: string; name: string }> {
    this.sequence += 1;
    const { createProduct } = await graphqlData(
      this.url,
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id sku name } }`,
      {
        token: this.adminToken,
        variables: {
          input: {
            sku: fields.sku ?? `SKU-${this.sequence}-${Date.now()}`,
            name: fields.name,
            slug: `${fields.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${this.sequence}`,
            description: fields.description ?? "",
            price: fields.price,
            categoryId: fields.categoryId,
            images: [{ url: `https://images.example.com/${this.sequence}.jpg`, alt: fields.name }],
          },
        },
      },
    );
    if (fields.stock) await this.adjustStock(createProduct.id, fields.stock);
    return createProduct;
  }

  async adjustStock(productId: string, delta: number, extra: { lowStockThreshold?: number; reason?: string } = {}) {
    const { adjustStock } = await graphqlData(
      this.url,
      `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { onHand reserved available inStock lowStock } }`,
      {
        token: this.adminToken,
        variables: {
          input: { productId, delta, reason: extra.reason ?? "delivery", lowStockThreshold: extra.lowStockThreshold },
        },
      },
    );
    return adjustStock as { onHand: number; reserved: number; available: number; inStock: boolean; lowStock: boolean };
  }
}
