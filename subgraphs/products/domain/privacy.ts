import type { PrivacyParticipant } from "../../common/privacy/privacyHandlers";
import { maxExportRecords } from "../../common/privacy/privacyParts";
import type { ProductsTx } from "../store/database";
import { detachReviewsOfAuthor, findReviewsOfAuthor } from "../store/privacyStore";

/** The products service's answer to privacy requests: the person's reviews. */
export const productsPrivacy: PrivacyParticipant<ProductsTx> = {
  async exportData(tx, userId) {
    const reviews = await findReviewsOfAuthor(tx, userId, maxExportRecords);
    return {
      reviews: reviews.map((review) => ({
        id: review.id,
        productId: review.productId,
        productName: review.product.name,
        rating: review.rating,
        title: review.title,
        body: review.body,
        createdAt: review.createdAt,
      })),
    };
  },
  async erase(tx, userId) {
    return { reviewsAnonymised: await detachReviewsOfAuthor(tx, userId) };
  },
};
