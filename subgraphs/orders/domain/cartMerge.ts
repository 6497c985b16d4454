import {
  findCart,
  lockedCart,
  deleteCart,
  touchCart,
  writeCartLines,
  updateBuyerIdentity,
  type CartOwner,
} from "../store/cartStore";
import type { CartView } from "../store/records";
import { cartGone, guestCartOwner } from "./cartAccess";
import { maxCartLines, maxQuantityPerLine, priced } from "./cart";
import { viewVariants, type CatalogViewDependencies, type VariantView } from "./catalogView";
import { findCartChoices, saveCartChoices } from "../store/cartChoiceStore";
import { maxDiscountCodes } from "./pricing/checkoutPricing";

export type MergeAdjustmentReason = "QUANTITY_CAP" | "LINE_LIMIT" | "NOT_FOR_SALE";

/** A guest line the merge could not take in full. */
export interface MergeAdjustment {
  variantId: string;
  requestedQuantity: number;
  quantity: number;
  reason: MergeAdjustmentReason;
}

interface MergeLine {
  variantId: string;
  productId: string;
  quantity: number;
}

/**
 * The merge as a plain function of the two carts' lines, so it is deterministic: the guest lines
 * in the order they were added; a variant in both adds up to the per-line cap; a new variant is
 * appended while the cart has room. A variant not for sale (or priced in another currency than
 * the customer's cart) is left out. Every line not taken in full is reported.
 */
export function mergeLines(
  customer: readonly MergeLine[],
  guest: readonly MergeLine[],
  views: ReadonlyMap<string, Pick<VariantView, "forSale" | "currency">>,
): { lines: MergeLine[]; adjustments: MergeAdjustment[] } {
  const lines = customer.map((line) => ({ ...line }));
  const currency = lines.map((line) => views.get(line.variantId)?.currency).find(Boolean);
  const adjustments: MergeAdjustment[] = [];
  for (const incoming of guest) {
    const view = views.get(incoming.variantId);
    const existing = lines.find((line) => line.variantId === incoming.variantId);
    const requestedQuantity = (existing?.quantity ?? 0) + incoming.quantity;
    if (!view?.forSale || (currency && view.currency !== currency)) {
      adjustments.push({
        variantId: incoming.variantId,
        requestedQuantity,
        quantity: existing?.quantity ?? 0,
        reason: "NOT_FOR_SALE",
      });
      continue;
    }
    if (!existing && lines.length >= maxCartLines) {
      adjustments.push({ variantId: incoming.variantId, requestedQuantity, quantity: 0, reason: "LINE_LIMIT" });
      continue;
    }
    const quantity = Math.min(requestedQuantity, maxQuantityPerLine);
    if (existing) existing.quantity = quantity;
    else lines.push({ ...incoming, quantity });
    if (quantity < requestedQuantity)
      adjustments.push({ variantId: incoming.variantId, requestedQuantity, quantity, reason: "QUANTITY_CAP" });
  }
  return { lines, adjustments };
}

interface CheckoutChoices {
  shippingMethodId: string | null;
  discountCodes: string[];
}

/**
 * The checkout choices of the merged cart: the customer's shipping method, else the guest's; the
 * customer's codes, then the guest's that are not among them while there is room (codes are
 * validated again when the cart is priced). The guest codes that found no room are reported.
 */
export function mergeChoices(
  customer: CheckoutChoices,
  guest: CheckoutChoices,
): { choices: CheckoutChoices; droppedDiscountCodes: string[] } {
  const discountCodes = [...customer.discountCodes];
  const droppedDiscountCodes: string[] = [];
  for (const code of guest.discountCodes) {
    if (discountCodes.includes(code)) continue;
    if (discountCodes.length < maxDiscountCodes) discountCodes.push(code);
    else droppedDiscountCodes.push(code);
  }
  return {
    choices: { shippingMethodId: customer.shippingMethodId ?? guest.shippingMethodId, discountCodes },
    droppedDiscountCodes,
  };
}

/**
 * `cartMerge`: the guest cart's lines into the signed-in customer's cart, in one transaction with
 * both carts locked (the customer's first, always in that order); the guest cart is deleted. The
 * buyer identity fields the customer's cart lacks are taken from the guest cart, and so are its
 * shipping method and discount codes (see `mergeChoices`).
 */
export async function mergeGuestCart(
  deps: CatalogViewDependencies,
  customerId: string,
  cartToken: string,
): Promise<{ cart: CartView; adjustments: MergeAdjustment[]; droppedDiscountCodes: string[] }> {
  const guest = await guestCartOwner(deps.db, cartToken);
  const customer: CartOwner = { kind: "customer", customerId };
  for (;;) {
    const [mine, theirs] = await Promise.all([findCart(deps.db, customer), findCart(deps.db, guest)]);
    if (!theirs) throw cartGone();
    const ids = [...(mine?.items ?? []), ...theirs.items].map((item) => item.variantId);
    const views = await viewVariants(deps, ids, { availability: false });
    const outcome = await deps.unitOfWork(async (tx) => {
      const into = (await lockedCart(tx, customer))!;
      const from = await lockedCart(tx, guest);
      if (!from) throw cartGone();
      if ([...into.items, ...from.items].some((item) => !views.has(item.variantId))) return undefined;
      const { lines, adjustments } = mergeLines(into.items, from.items, views);
      const changed = lines.filter(
        (line) => into.items.find((item) => item.variantId === line.variantId)?.quantity !== line.quantity,
      );
      // The changed lines in one statement, which touches the cart too.
      if (changed.length > 0) await writeCartLines(tx, into.id, changed);
      await updateBuyerIdentity(tx, into.id, {
        email: into.buyer.email ?? from.buyer.email ?? undefined,
        shippingAddress: into.buyer.shippingAddress ?? from.buyer.shippingAddress ?? undefined,
        billingAddress: into.buyer.billingAddress ?? from.buyer.billingAddress ?? undefined,
      });
      const intoChoices = await findCartChoices(tx, into.id);
      const fromChoices = await findCartChoices(tx, from.id);
      const { choices, droppedDiscountCodes } = mergeChoices(intoChoices, fromChoices);
      if (
        choices.shippingMethodId !== intoChoices.shippingMethodId ||
        choices.discountCodes.length !== intoChoices.discountCodes.length
      )
        await saveCartChoices(tx, into.id, choices);
      await deleteCart(tx, from.id);
      if (changed.length === 0) await touchCart(tx, into.id);
      return { adjustments, droppedDiscountCodes, cart: (await lockedCart(tx, customer))! };
    });
    if (outcome)
      return {
        cart: priced(outcome.cart, views),
        adjustments: outcome.adjustments,
        droppedDiscountCodes: outcome.droppedDiscountCodes,
      };
  }
}
