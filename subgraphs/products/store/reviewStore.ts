import { afterNewestFirst } from "../../common/pagination";
import type { ProductsReader, ProductsTx } from "./database";

export interface NewReview {
  productId: string;
  authorId: string;
  rating: number;
  title: string;
  body: string;
}

/** Stores a review and folds its rating into the product's, in one transaction. */
export async function insertReview(tx: ProductsTx, review: NewReview) {
  const created = await tx.review.create({ data: review });
  await tx.$executeRaw`
    UPDATE products
       SET rating_count = rating_count + 1,
           rating_sum = rating_sum + ${review.rating},
           rating_average = (rating_sum + ${review.rating})::float8 / (rating_count + 1)
     WHERE id = ${review.productId}::uuid`;
  return created;
}

export function listReviews(db: ProductsReader, query: { productId: string; size: number; after?: string | null }) {
  return db.review.findMany({
    where: { productId: query.productId, ...afterNewestFirst(query.after) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.size + 1,
  });
}

export function countReviews(db: ProductsReader, productId: string): Promise<number> {
  return db.review.count({ where: { productId } });
}
