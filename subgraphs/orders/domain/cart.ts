import { BadUserInputError, NotFoundError } from "../../common/errors";
import { defaultCurrency } from "../../common/money";
import { boundedInt, requiredId } from "../../common/validation";
import { cartOf, emptyCart, setCartItem } from "../store/cartStore";
import type { CartView } from "../store/records";
import { viewProducts, type CatalogViewDependencies, type ProductView } from "./catalogView";

export const maxQuantityPerLine = 99;
export const maxCartLines = 50;

/** The cart as the customer sees it: every line at the product's current price. */
export async function showCart(deps: CatalogViewDependencies, customerId: string): Promise<CartView> {
  const cart = await deps.unitOfWork((tx) => cartOf(tx, customerId));
  const views = await viewProducts(deps, cart.items.map((item) => item.productId));
  const items = cart.items
    .filter((item) => views.has(item.productId))
    .map((item) => {
      const view = views.get(item.productId)!;
      return { productId: item.productId, quantity: item.quantity, unitPriceMinor: view.priceMinor, currency: view.currency };
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
      view.available === 0 ? `${view.name} is out of stock.` : `Only ${view.available} of ${view.name} ${view.available === 1 ? "is" : "are"} available.`,
      "quantity",
    );
  }
}

async function changeLine(deps: CatalogViewDependencies, customerId: string, productId: string, quantityOf: (current: number) => number): Promise<CartView> {
  const view = requireOrderable((await viewProducts(deps, [productId])).get(productId), productId);
  const inCart = await showCart(deps, customerId);
  if (inCart.items.some((item) => item.currency !== view.currency)) {
    throw new BadUserInputError(`This product is priced in ${view.currency}; the cart holds products priced in ${inCart.currency}.`, "productId");
  }
  await deps.unitOfWork(async (tx) => {
    const cart = await cartOf(tx, customerId);
    const current = cart.items.find((item) => item.productId === productId)?.quantity ?? 0;
    const quantity = quantityOf(current);
    if (quantity > maxQuantityPerLine) throw new BadUserInputError(`At most ${maxQuantityPerLine} units of one product per order.`, "quantity");
    if (quantity > 0) requireAvailable(view, quantity);
    if (current === 0 && quantity > 0 && cart.items.length >= maxCartLines) {
      throw new BadUserInputError(`A cart holds at most ${maxCartLines} different products.`, "productId");
    }
    await setCartItem(tx, cart.id, productId, quantity);
  });
  return showCart(deps, customerId);
}

export function addToCart(deps: CatalogViewDependencies, customerId: string, productId: string, quantity: number): Promise<CartView> {
  const id = requiredId(productId, "productId");
  const adding = boundedInt(quantity, "quantity", { min: 1, max: maxQuantityPerLine });
  return changeLine(deps, customerId, id, (current) => current + adding);
}

export async function updateCartItem(deps: CatalogViewDependencies, customerId: string, productId: string, quantity: number): Promise<CartView> {
  const id = requiredId(productId, "productId");
  const wanted = boundedInt(quantity, "quantity", { min: 0, max: maxQuantityPerLine });
  if (wanted > 0) return changeLine(deps, customerId, id, () => wanted);
  // Removing a line needs no checks: a product that is no longer for sale can always leave the cart.
  await deps.unitOfWork(async (tx) => setCartItem(tx, (await cartOf(tx, customerId)).id, id, 0));
  return showCart(deps, customerId);
}

export async function clearCart(deps: CatalogViewDependencies, customerId: string): Promise<CartView> {
  await deps.unitOfWork((tx) => emptyCart(tx, customerId));
  return showCart(deps, customerId);
}
