import { violatesUnique } from "../../common/database/uniqueViolation";
import { ConflictError, NotFoundError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import { boundedInt, isUuid, optionalText, requiredText } from "../../common/validation";
import type { ProductsTx } from "../store/database";
import { insertReview } from "../store/reviewStore";

export interface ReviewFields {
  productId: string;
  rating: number;
  title: string;
  body?: string | null;
}

/** One review per customer and product, on a product that is for sale; the rating follows at once. */
export async function addReview(deps: { unitOfWork: UnitOfWork<ProductsTx> }, authorId: string, input: ReviewFields) {
  const review = {
    productId: input.productId,
    authorId,
    rating: boundedInt(input.rating, "rating", { min: 1, max: 5 }),
    title: requiredText(input.title, "title", { max: 120 }),
    body: optionalText(input.body, "body", 5000) ?? "",
  };
  try {
    return await deps.unitOfWork(async (tx) => {
      const product = isUuid(review.productId)
        ? await tx.product.findUnique({ where: { id: review.productId } })
        : null;
      if (!product || product.status !== "ACTIVE") throw new NotFoundError("No product for sale has this id.");
      return insertReview(tx, review);
    });
  } catch (error) {
    if (violatesUnique(error, "authorId")) {
      throw new ConflictError("You have already reviewed this product.", "productId");
    }
    throw error;
  }
}

/** The rating as the API shows it: the mean rounded to two decimals, null without reviews. */
export function ratingOf(product: { ratingCount: number; ratingSum: number }) {
  return {
    average: product.ratingCount ? Math.round((product.ratingSum / product.ratingCount) * 100) / 100 : null,
    count: product.ratingCount,
  };
}
