import { BadUserInputError } from "../../common/errors";
import { defaultCurrency } from "../../common/money";
import { boundedInt } from "../../common/validation";
import { cartOf, emptyCart, lockedCartOf, setCartItem, type CartContents } from "../store/cartStore";
import type { CartView } from "../store/records";
import { viewVariants, type CatalogViewDependencies, type VariantView } from "./catalogView";
import { checkTarget, displayName, requireForSale, resolveTargets, type LineTargetFields } from "./lineTarget";

export const maxQuantityPerLine = 99;
export const maxCartLines = 50;

/** The cart as the customer sees it: every line at the variant's current price. */
export async function showCart(deps: CatalogViewDependencies, customerId: string): Promise<CartView> {
  const cart = await cartOf(deps.db, customerId);
  return priced(
    cart,
    await viewVariants(
      deps,
      cart.items.map((item) => item.variantId),
    ),
  );
}

function priced(cart: CartContents, views: ReadonlyMap<string, VariantView>): CartView {
  const items = cart.items
    .filter((item) => views.has(item.variantId))
    .map((item) => {
      const view = views.get(item.variantId)!;
      return {
        id: item.id,
        productId: item.productId,
        variantId: item.variantId,
        quantity: item.quantity,
        unitPriceMinor: view.priceMinor,
        currency: view.currency,
      };
    });
  return { id: cart.id, items, currency: items[0]?.currency ?? defaultCurrency };
}

function requireAvailable(view: VariantView, quantity: number): void {
  if (quantity > view.available) {
    const name = displayName(view);
    throw new BadUserInputError(
      view.available === 0
        ? `${name} is out of stock.`
        : `Only ${view.available} of ${name} ${view.available === 1 ? "is" : "are"} available.`,
      "quantity",
    );
  }
}

/**
 * Changes one variant's line with the cart locked, so that concurrent changes queue rather than
 * overwrite each other, and answers the cart as it now is without reading it again. Variants
 * are looked up before the transaction: a transaction never waits for a second connection of
 * the pool.
 */
async function changeLine(
  deps: CatalogViewDependencies,
  customerId: string,
  target: LineTargetFields,
  quantityOf: (current: number) => number,
): Promise<CartView> {
  const checked = checkTarget(target);
  for (;;) {
    const seen = await cartOf(deps.db, customerId);
    const [chosen] = await resolveTargets(deps, [checked]);
    const view = requireForSale(chosen!, checked.field);
    const views = await viewVariants(deps, [view.variantId, ...seen.items.map((item) => item.variantId)]);
    const changed = await deps.unitOfWork(async (tx) => {
      const cart = await lockedCartOf(tx, customerId);
      // A line added meanwhile by another request: look again, with its variant.
      if (cart.items.some((item) => !views.has(item.variantId))) return undefined;
      const inCart = priced(cart, views);
      if (inCart.items.some((item) => item.currency !== view.currency)) {
        throw new BadUserInputError(
          `This product is priced in ${view.currency}; the cart holds products priced in ${inCart.currency}.`,
          checked.field,
        );
      }
      const line = cart.items.find((item) => item.variantId === view.variantId);
      const current = line?.quantity ?? 0;
      const quantity = quantityOf(current);
      if (quantity > maxQuantityPerLine)
        throw new BadUserInputError(`At most ${maxQuantityPerLine} units of one variant per order.`, "quantity");
      if (quantity > 0) requireAvailable(view, quantity);
      if (current === 0 && quantity > 0 && cart.items.length >= maxCartLines) {
        throw new BadUserInputError(`A cart holds at most ${maxCartLines} different variants.`, checked.field);
      }
      const id = await setCartItem(tx, cart.id, view, quantity);
      const items =
        current === 0
          ? [...cart.items, { id: id!, productId: view.productId, variantId: view.variantId, quantity }]
          : cart.items.map((item) => (item.variantId === view.variantId ? { ...item, quantity } : item));
      return priced({ id: cart.id, items: items.filter((item) => item.quantity > 0) }, views);
    });
    if (changed) return changed;
  }
}

export function addToCart(
  deps: CatalogViewDependencies,
  customerId: string,
  target: LineTargetFields,
  quantity: number,
): Promise<CartView> {
  const adding = boundedInt(quantity, "quantity", { min: 1, max: maxQuantityPerLine });
  return changeLine(deps, customerId, target, (current) => current + adding);
}

export async function updateCartItem(
  deps: CatalogViewDependencies,
  customerId: string,
  target: LineTargetFields,
  quantity: number,
): Promise<CartView> {
  const wanted = boundedInt(quantity, "quantity", { min: 0, max: maxQuantityPerLine });
  if (wanted > 0) return changeLine(deps, customerId, target, () => wanted);
  // Removing a line needs no checks: a variant that is no longer for sale can always leave the cart.
  const [view] = await resolveTargets(deps, [checkTarget(target)], { availability: false });
  await deps.unitOfWork(async (tx) => setCartItem(tx, (await lockedCartOf(tx, customerId)).id, view!, 0));
  return showCart(deps, customerId);
}

export async function clearCart(deps: CatalogViewDependencies, customerId: string): Promise<CartView> {
  await deps.unitOfWork((tx) => emptyCart(tx, customerId));
  return showCart(deps, customerId);
}
