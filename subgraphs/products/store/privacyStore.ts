import type { ProductsReader, ProductsTx } from "./database";

/** The author's most recent reviews, with the product each is about. */
export function findReviewsOfAuthor(db: ProductsReader, authorId: string, take: number) {
  return db.review.findMany({
    where: { authorId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    include: { product: { select: { name: true, slug: true } } },
  });
}

/**
 * Unlinks the author's reviews from them: each gets an author id of its own that names no one
 * (one per review, since a product takes one review per author), and shows no author. Ratings stay,
 * so products' averages do not move. Returns the reviews changed.
 */
export function detachReviewsOfAuthor(tx: ProductsTx, authorId: string): Promise<number> {
  return tx.$executeRaw`UPDATE reviews SET author_id = gen_random_uuid() WHERE author_id = ${authorId}::uuid`;
}
