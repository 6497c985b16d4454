import { BadUserInputError, NotFoundError } from "../../common/errors";
import { defaultCurrency } from "../../common/money";
import { boundedInt, requiredId } from "../../common/validation";
import { cartOf, emptyCart, lockedCartOf, setCartItem, type CartContents } from "../store/cartStore";
import type { CartView } from "../store/records";
import { viewProducts, type CatalogViewDependencies, type ProductView } from "./catalogView";

export const maxQuantityPerLine = 99;
export const maxCartLines = 50;

/** The cart as the customer sees it: every line at the product's current price. */
export async function showCart(deps: CatalogViewDependencies, customerId: string): Promise<CartView> {
  const cart = await cartOf(deps.db, customerId);
  return priced(
    cart,
    await viewProducts(
      deps,
      cart.items.map((item) => item.productId),
    ),
  );
}

function priced(cart: CartContents, views: ReadonlyMap<string, ProductView>): CartView {
  const items = cart.items
    .filter((item) => views.has(item.productId))
    .map((item) => {
      const view = views.get(item.productId)!;
      return {
        productId: item.productId,
        quantity: item.quantity,
        unitPriceMinor: view.priceMinor,
        currency: view.currency,
      };
    });
  return { id: cart.id, items, currency: items[0]?.currency ?? defaultCurrency };
}

function requireOrderable(view: ProductView | undefined, productId: string): ProductView {
  if (!view) throw new NotFoundError(`No product has the id ${productId}.`);
  if (view.archived) throw new BadUserInputError("This product is no longer for sale.", "productId");
  return view;
}

function requireAvailable(view: ProductView, quantity: number): void {
  if (quantity > view.available) {
    throw new BadUserInputError(
      view.available === 0
        ? `${view.name} is out of stock.`
        : `Only ${view.available} of ${view.name} ${view.available === 1 ? "is" : "are"} available.`,
      "quantity",
    );
  }
}

/**
 * Changes one line with the cart locked, so that concurrent changes queue rather than overwrite
 * each other, and answers the cart as it now is without reading it again. Products are looked
 * up before the transaction: a transaction never waits for a second connection of the pool.
 */
async function changeLine(
  deps: CatalogViewDependencies,
  customerId: string,
  productId: string,
  quantityOf: (current: number) => number,
): Promise<CartView> {
  for (;;) {
    const seen = await cartOf(deps.db, customerId);
    const views = await viewProducts(deps, [productId, ...seen.items.map((item) => item.productId)]);
    const view = requireOrderable(views.get(productId), productId);
    const changed = await deps.unitOfWork(async (tx) => {
      const cart = await lockedCartOf(tx, customerId);
      // A line added meanwhile by another request: look again, with its product.
      if (cart.items.some((item) => !views.has(item.productId))) return undefined;
      const inCart = priced(cart, views);
      if (inCart.items.some((item) => item.currency !== view.currency)) {
        throw new BadUserInputError(
          `This product is priced in ${view.currency}; the cart holds products priced in ${inCart.currency}.`,
          "productId",
        );
      }
      const current = cart.items.find((item) => item.productId === productId)?.quantity ?? 0;
      const quantity = quantityOf(current);
      if (quantity > maxQuantityPerLine)
        throw new BadUserInputError(`At most ${maxQuantityPerLine} units of one product per order.`, "quantity");
      if (quantity > 0) requireAvailable(view, quantity);
      if (current === 0 && quantity > 0 && cart.items.length >= maxCartLines) {
        throw new BadUserInputError(`A cart holds at most ${maxCartLines} different products.`, "productId");
      }
      await setCartItem(tx, cart.id, productId, quantity);
      const items =
        current === 0
          ? [...cart.items, { productId, quantity }]
          : cart.items.map((item) => (item.productId === productId ? { productId, quantity } : item));
      return priced({ id: cart.id, items: items.filter((item) => item.quantity > 0) }, views);
    });
    if (changed) return changed;
  }
}

export function addToCart(
  deps: CatalogViewDependencies,
  customerId: string,
  productId: string,
  quantity: number,
): Promise<CartView> {
  const id = requiredId(productId, "productId");
  const adding = boundedInt(quantity, "quantity", { min: 1, max: maxQuantityPerLine });
  return changeLine(deps, customerId, id, (current) => current + adding);
}

export async function updateCartItem(
  deps: CatalogViewDependencies,
  customerId: string,
  productId: string,
  quantity: number,
): Promise<CartView> {
  const id = requiredId(productId, "productId");
  const wanted = boundedInt(quantity, "quantity", { min: 0, max: maxQuantityPerLine });
  if (wanted > 0) return changeLine(deps, customerId, id, () => wanted);
  // Removing a line needs no checks: a product that is no longer for sale can always leave the cart.
  await deps.unitOfWork(async (tx) => setCartItem(tx, (await lockedCartOf(tx, customerId)).id, id, 0));
  return showCart(deps, customerId);
}

export async function clearCart(deps: CatalogViewDependencies, customerId: string): Promise<CartView> {
  await deps.unitOfWork((tx) => emptyCart(tx, customerId));
  return showCart(deps, customerId);
}
