import { ErrorCode } from "../../subgraphs/common/errors";
import {
  seedCategories,
  seedLocations,
  seedProducts,
  seedReviewerCount,
  seedReviews,
  type SeedLocation,
  type SeedProduct,
  type SeedVariant,
} from "./catalogData";

export interface SeedOptions {
  routerUrl: string;
  adminEmail: string;
  adminPassword: string;
  /** Requests in flight at once. */
  concurrency?: number;
  /** The products to load: the demo catalog's (`seedProducts()`) unless told; a test may load a part of it. */
  products?: readonly SeedProduct[];
  log?: (line: string) => void;
}

export interface SeedReport {
  locations: { created: number; existing: number };
  categories: { created: number; existing: number };
  products: { created: number; existing: number };
  variants: { created: number };
  reviewers: { created: number; existing: number };
  reviews: { created: number; existing: number };
}

class SeedClient {
  constructor(private readonly url: string) {}

  async request<T>(
    query: string,
    variables: Record<string, unknown>,
    token?: string,
  ): Promise<{ data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  }

  async data<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
    const result = await this.request<T>(query, variables, token);
    if (result.errors?.length || !result.data)
      throw new Error(`seed request failed: ${result.errors?.[0]?.message ?? "no data"}`);
    return result.data;
  }
}

/** Runs `work` on every item, `size` at a time: each worker takes the next item as soon as it is free. */
async function forEachConcurrently<T>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/**
 * Loads the demo catalog through the router, as the back office would: categories, products
 * with stock, customers and their reviews. Whatever exists already is left as it is, so a
 * second run changes nothing.
 */
export async function seedCatalog(options: SeedOptions): Promise<SeedReport> {
  const client = new SeedClient(options.routerUrl);
  const concurrency = options.concurrency ?? 8;
  const log = options.log ?? (() => undefined);
  const report: SeedReport = {
    locations: { created: 0, existing: 0 },
    categories: { created: 0, existing: 0 },
    products: { created: 0, existing: 0 },
    variants: { created: 0 },
    reviewers: { created: 0, existing: 0 },
    reviews: { created: 0, existing: 0 },
  };
  const { login } = await client.data<{ login: { accessToken: string } }>(
    `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
    { input: { email: options.adminEmail, password: options.adminPassword } },
  );
  const admin = login.accessToken;

  const locationIds = await ensureLocations(client, admin, report);

  const { categories } = await client.data<{ categories: Array<{ id: string; slug: string }> }>(
    `query { categories { id slug } }`,
    {},
  );
  const categoryIds = new Map(categories.map((category) => [category.slug, category.id]));
  for (const category of seedCategories()) {
    if (categoryIds.has(category.slug)) {
      report.categories.existing += 1;
      continue;
    }
    const { createCategory } = await client.data<{ createCategory: { id: string } }>(
      `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }`,
      {
        input: {
          name: category.name,
          slug: category.slug,
          parentId: category.parentSlug ? categoryIds.get(category.parentSlug) : null,
        },
      },
      admin,
    );
    categoryIds.set(category.slug, createCategory.id);
    report.categories.created += 1;
  }
  log(`categories: ${report.categories.created} created, ${report.categories.existing} already there`);

  const existingSkus = new Map<string, string>();
  let after: string | null = null;
  do {
    const page: {
      products: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: Array<{ node: { id: string; variants: { edges: Array<{ node: { sku: string } }> } } }>;
      };
    } = await client.data(
      `query($after: String) { products(first: 100, after: $after, sort: NAME) { pageInfo { hasNextPage endCursor } edges { node { id variants(first: 1) { edges { node { sku } } } } } } }`,
      { after },
      admin,
    );
    for (const edge of page.products.edges) {
      const first = edge.node.variants.edges[0]?.node.sku;
      if (first) existingSkus.set(first, edge.node.id);
    }
    after = page.products.pageInfo.hasNextPage ? page.products.pageInfo.endCursor : null;
  } while (after);

  const products = options.products ?? seedProducts();
  // Opening stock of each new variant: its locations one after another (they share the variant's
  // totals), different variants concurrently.
  const openingStock: Array<{ variantId: string; stock: SeedVariant["stock"]; lowStockThreshold: number }> = [];
  await forEachConcurrently(products, concurrency, async (product) => {
    if (existingSkus.has(product.sku)) {
      report.products.existing += 1;
      return;
    }
    const created = await createSeedProduct(client, admin, product, categoryIds.get(product.categorySlug));
    existingSkus.set(product.sku, created.productId);
    for (const [index, variant] of product.variants.entries())
      openingStock.push({
        variantId: created.variantIds[index]!,
        stock: variant.stock,
        lowStockThreshold: product.options.length ? 2 : 5,
      });
    report.products.created += 1;
    report.variants.created += product.variants.length;
  });
  await forEachConcurrently(openingStock, concurrency, async (variant) => {
    for (const location of seedLocations) {
      const units = variant.stock[location.key];
      if (units <= 0) continue;
      await client.data(
        `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { onHand } }`,
        {
          input: {
            variantId: variant.variantId,
            locationId: locationIds.get(location.key),
            delta: units,
            reason: "seed: opening stock",
            lowStockThreshold: variant.lowStockThreshold,
          },
        },
        admin,
      );
    }
  });
  log(
    `products: ${report.products.created} created (${report.variants.created} variants), ${report.products.existing} already there`,
  );

  const reviewerTokens: string[] = [];
  for (let reviewer = 0; reviewer < seedReviewerCount; reviewer += 1) {
    const credentials = {
      email: `reviewer${reviewer + 1}@seed.commerce.example`,
      password: `seed-reviewer-password-${reviewer + 1}`,
    };
    const registered = await client.request<{ register: { accessToken: string } }>(
      `mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`,
      { input: { ...credentials, name: `Seed Reviewer ${reviewer + 1}` } },
    );
    if (registered.data) {
      reviewerTokens.push(registered.data.register.accessToken);
      report.reviewers.created += 1;
    } else if (registered.errors?.[0]?.extensions?.code === ErrorCode.CONFLICT) {
      const session = await client.data<{ login: { accessToken: string } }>(
        `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
        { input: credentials },
      );
      reviewerTokens.push(session.login.accessToken);
      report.reviewers.existing += 1;
    } else {
      throw new Error(`seed: cannot register a reviewer: ${registered.errors?.[0]?.message}`);
    }
  }

  await forEachConcurrently(seedReviews(products), concurrency, async (review) => {
    const result = await client.request(
      `mutation($input: AddReviewInput!) { addReview(input: $input) { id } }`,
      {
        input: {
          productId: existingSkus.get(review.sku),
          rating: review.rating,
          title: review.title,
          body: review.body,
        },
      },
      reviewerTokens[review.reviewer],
    );
    if (result.errors?.[0]?.extensions?.code === ErrorCode.CONFLICT) report.reviews.existing += 1;
    else if (result.errors?.length) throw new Error(`seed: cannot add a review: ${result.errors[0]?.message}`);
    else report.reviews.created += 1;
  });
  log(`reviews: ${report.reviews.created} created, ${report.reviews.existing} already there`);
  return report;
}

/** The seed's stock locations, by key: found by name, or created. */
async function ensureLocations(client: SeedClient, admin: string, report: SeedReport): Promise<Map<string, string>> {
  const { stockLocations } = await client.data<{ stockLocations: Array<{ id: string; name: string }> }>(
    `query { stockLocations { id name } }`,
    {},
    admin,
  );
  const ids = new Map<SeedLocation["key"], string>();
  for (const location of seedLocations) {
    const existing = stockLocations.find((each) => each.name === location.name);
    if (existing) {
      ids.set(location.key, existing.id);
      report.locations.existing += 1;
      continue;
    }
    const { stockLocationCreate } = await client.data<{ stockLocationCreate: { id: string } }>(
      `mutation($input: StockLocationCreateInput!) { stockLocationCreate(input: $input) { id } }`,
      { input: { name: location.name, priority: location.priority, address: location.address } },
      admin,
    );
    ids.set(location.key, stockLocationCreate.id);
    report.locations.created += 1;
  }
  return ids;
}

/**
 * Creates a product as the back office would: with its first variant, then its options (the
 * first variant is told which values it stands for) and its other variants. Answers the ids of
 * its variants in the product's order.
 */
async function createSeedProduct(
  client: SeedClient,
  admin: string,
  product: SeedProduct,
  categoryId: string | undefined,
): Promise<{ productId: string; variantIds: string[] }> {
  const { createProduct } = await client.data<{ createProduct: { id: string; defaultVariant: { id: string } } }>(
    `mutation($input: CreateProductInput!) { createProduct(input: $input) { id defaultVariant { id } } }`,
    {
      input: {
        sku: product.sku,
        name: product.name,
        slug: product.slug,
        description: product.description,
        price: product.price,
        categoryId,
        images: product.images,
        attributes: product.attributes,
      },
    },
    admin,
  );
  if (product.options.length === 0)
    return { productId: createProduct.id, variantIds: [createProduct.defaultVariant.id] };
  const selected = (options: Record<string, string>) =>
    Object.entries(options).map(([name, value]) => ({ name, value }));
  const [first, ...others] = product.variants;
  await client.data(
    `mutation($id: ID!, $options: [ProductOptionInput!]!) { productOptionsSet(productId: $id, options: $options) { id } }`,
    { id: createProduct.id, options: product.options },
    admin,
  );
  await client.data(
    `mutation($id: ID!, $input: ProductVariantUpdateInput!) { productVariantUpdate(id: $id, input: $input) { id } }`,
    {
      id: createProduct.defaultVariant.id,
      input: { selectedOptions: selected(first!.options), price: first!.price, attributes: first!.attributes },
    },
    admin,
  );
  const { productVariantsCreate } = await client.data<{ productVariantsCreate: Array<{ id: string }> }>(
    `mutation($id: ID!, $variants: [ProductVariantCreateInput!]!) { productVariantsCreate(productId: $id, variants: $variants) { id } }`,
    {
      id: createProduct.id,
      variants: others.map((variant) => ({
        sku: variant.sku,
        price: variant.price,
        selectedOptions: selected(variant.options),
        attributes: variant.attributes,
      })),
    },
    admin,
  );
  return {
    productId: createProduct.id,
    variantIds: [createProduct.defaultVariant.id, ...productVariantsCreate.map((each) => each.id)],
  };
}
