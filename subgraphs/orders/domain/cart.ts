import { BadUserInputError, NotFoundError } from "../../common/errors";
import { defaultCurrency } from "../../common/money";
import { boundedInt, requiredId } from "../../common/validation";
import {
  findCart,
  findCartWithVariants,
  lockedCart,
  emptyCart,
  removeCartItems,
  touchCart,
  writeCartLines,
  writeCartLinesAt,
  type CartContents,
  type CartOwner,
} from "../store/cartStore";
import type { CartView } from "../store/records";
import { cartGone } from "./cartAccess";
import { viewVariants, type CatalogViewDependencies, type VariantView } from "./catalogView";
import { checkTarget, displayName, requireForSale, resolveTargets, type LineTargetFields } from "./lineTarget";

export const maxQuantityPerLine = 99;
export const maxCartLines = 50;
/** Lines one cart operation may name. */
export const maxLinesPerRequest = 50;

async function contentsOf(deps: CatalogViewDependencies, owner: CartOwner): Promise<CartContents> {
  const cart = await findCart(deps.db, owner);
  if (!cart) throw cartGone();
  return cart;
}

/** The cart as its buyer sees it: every line at the variant's current price. */
export async function showCart(deps: CatalogViewDependencies, owner: CartOwner | string): Promise<CartView> {
  const cart = await contentsOf(deps, typeof owner === "string" ? { kind: "customer", customerId: owner } : owner);
  return priced(
    cart,
    await viewVariants(
      deps,
      cart.items.map((item) => item.variantId),
    ),
  );
}

export function priced(cart: CartContents, views: ReadonlyMap<string, VariantView>): CartView {
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
  return {
    id: cart.id,
    customerId: cart.customerId,
    items,
    currency: items[0]?.currency ?? defaultCurrency,
    buyer: cart.buyer,
    expiresAt: cart.expiresAt,
  };
}

function requireAvailable(view: VariantView, quantity: number, field: string): void {
  if (quantity > view.available) {
    const name = displayName(view);
    throw new BadUserInputError(
      view.available === 0
        ? `${name} is out of stock.`
        : `Only ${view.available} of ${name} ${view.available === 1 ? "is" : "are"} available.`,
      field,
    );
  }
}

/** One change a request makes to a variant's line. */
interface LineChange {
  view: VariantView;
  /** The input field that named the variant, and the one that gave the quantity. */
  field: string;
  quantityField: string;
  /** The line's new quantity given its current one (0 when there is none); 0 removes it. */
  quantityOf(current: number): number;
}

/**
 * Applies line changes to the cart as one read found it, in one statement that writes only if the
 * cart is still at the version read (see `writeCartLinesAt`): a change committed meanwhile makes
 * it write nothing and look again, so that concurrent changes never overwrite each other, with no
 * transaction (BEGIN, lock, read, COMMIT) around the write. Answers the cart as it now is without
 * reading it again. A change that leaves a line as it is checks nothing, so sending it again (a
 * retry) changes nothing and cannot fail where it succeeded. Every change is checked before any is
 * written: a request applies in full or not at all.
 */
async function changeLines(
  deps: CatalogViewDependencies,
  owner: CartOwner,
  changesOf: (cart: CartContents) => Promise<LineChange[]>,
): Promise<CartView> {
  for (;;) {
    // The cart with its variants' read-model rows in one statement: looked up again only when
    // the read model does not know one (or their availability).
    const read = await findCartWithVariants(deps.db, owner);
    if (!read) throw cartGone();
    const cart = read.cart;
    const changes = await changesOf(cart);
    const views = await viewVariants(
      deps,
      cart.items.map((item) => item.variantId),
      { availability: true, known: read.variants },
    );
    for (const change of changes) views.set(change.view.variantId, change.view);
    let items = cart.items;
    const written = new Map<string, number>();
    for (const change of changes) {
      const { view } = change;
      const line = items.find((item) => item.variantId === view.variantId);
      const current = line?.quantity ?? 0;
      const quantity = change.quantityOf(current);
      if (quantity === current) continue;
      if (quantity > maxQuantityPerLine) {
        throw new BadUserInputError(
          `At most ${maxQuantityPerLine} units of one variant per order.`,
          change.quantityField,
        );
      }
      if (quantity > 0) {
        requireForSale(view, change.field);
        requireAvailable(view, quantity, change.quantityField);
        const other = priced({ ...cart, items }, views).items.find((item) => item.currency !== view.currency);
        if (other) {
          throw new BadUserInputError(
            `This product is priced in ${view.currency}; the cart holds products priced in ${other.currency}.`,
            change.field,
          );
        }
      }
      if (current === 0 && items.length >= maxCartLines) {
        throw new BadUserInputError(`A cart holds at most ${maxCartLines} different variants.`, change.field);
      }
      items =
        current === 0
          ? [...items, { id: "", productId: view.productId, variantId: view.variantId, quantity }]
          : items.map((item) => (item.variantId === view.variantId ? { ...item, quantity } : item));
      items = items.filter((item) => item.quantity > 0);
      written.set(view.variantId, quantity);
    }
    if (written.size === 0) return priced({ ...cart, items }, views);
    // Every line written and the cart touched in one statement, if the cart is as read.
    const saved = await writeCartLinesAt(
      deps.db,
      { id: cart.id, version: read.version },
      [...written].map(([variantId, quantity]) => ({
        variantId,
        productId: views.get(variantId)!.productId,
        quantity,
      })),
    );
    if (saved) {
      items = items.map((item) => ({ ...item, id: saved.lineIds.get(item.variantId) ?? item.id }));
      return priced({ ...cart, items, expiresAt: saved.expiresAt }, views);
    }
  }
}

/** The variant a legacy cart operation names, for sale (looked up with its availability). */
async function targetChange(
  deps: CatalogViewDependencies,
  target: LineTargetFields,
  quantityOf: (current: number) => number,
): Promise<LineChange> {
  const checked = checkTarget(target);
  const [view] = await resolveTargets(deps, [checked]);
  return { view: requireForSale(view!, checked.field), field: checked.field, quantityField: "quantity", quantityOf };
}

export async function addToCart(
  deps: CatalogViewDependencies,
  customerId: string,
  target: LineTargetFields,
  quantity: number,
): Promise<CartView> {
  const adding = boundedInt(quantity, "quantity", { min: 1, max: maxQuantityPerLine });
  const change = await targetChange(deps, target, (current) => current + adding);
  return changeLines(deps, { kind: "customer", customerId }, () => Promise.resolve([change]));
}

export async function updateCartItem(
  deps: CatalogViewDependencies,
  customerId: string,
  target: LineTargetFields,
  quantity: number,
): Promise<CartView> {
  const wanted = boundedInt(quantity, "quantity", { min: 0, max: maxQuantityPerLine });
  const owner: CartOwner = { kind: "customer", customerId };
  if (wanted > 0) {
    const change = await targetChange(deps, target, () => wanted);
    return changeLines(deps, owner, () => Promise.resolve([change]));
  }
  // Removing a line needs no checks: a variant that is no longer for sale can always leave the cart.
  const [view] = await resolveTargets(deps, [checkTarget(target)], { availability: false });
  await deps.unitOfWork(async (tx) => {
    const cart = (await lockedCart(tx, owner))!;
    await writeCartLines(tx, cart.id, [{ variantId: view!.variantId, productId: view!.productId, quantity: 0 }]);
  });
  return showCart(deps, owner);
}

function checkLineCount(count: number, field: string): void {
  if (count === 0) throw new BadUserInputError("Give at least one line.", field);
  if (count > maxLinesPerRequest) throw new BadUserInputError(`Give at most ${maxLinesPerRequest} lines.`, field);
}

/** Adds units of variants to their lines (`cartLinesAdd`). */
export async function addCartLines(
  deps: CatalogViewDependencies,
  owner: CartOwner,
  lines: ReadonlyArray<{ variantId: string; quantity: number }>,
): Promise<CartView> {
  checkLineCount(lines.length, "lines");
  const checked = lines.map((line, index) => ({
    variantId: requiredId(line.variantId, `lines.${index}.variantId`),
    quantity: boundedInt(line.quantity, `lines.${index}.quantity`, { min: 1, max: maxQuantityPerLine }),
    index,
  }));
  const views = await viewVariants(
    deps,
    checked.map((line) => line.variantId),
  );
  const changes = checked.map(({ variantId, quantity, index }): LineChange => {
    const view = views.get(variantId);
    if (!view) throw new NotFoundError(`No variant has the id ${variantId}.`, `lines.${index}.variantId`);
    return {
      view,
      field: `lines.${index}.variantId`,
      quantityField: `lines.${index}.quantity`,
      quantityOf: (current) => current + quantity,
    };
  });
  return changeLines(deps, owner, () => Promise.resolve(changes));
}

/**
 * Sets lines' quantities by line id (`cartLinesUpdate`): idempotent, as it sets rather than adds.
 * A line that is gone and set to 0 again is no error (a retried removal); a line that is gone
 * and given a quantity is NOT_FOUND.
 */
export async function updateCartLines(
  deps: CatalogViewDependencies,
  owner: CartOwner,
  lines: ReadonlyArray<{ id: string; quantity: number }>,
): Promise<CartView> {
  checkLineCount(lines.length, "lines");
  const checked = lines.map((line, index) => ({
    id: requiredId(line.id, `lines.${index}.id`),
    quantity: boundedInt(line.quantity, `lines.${index}.quantity`, { min: 0, max: maxQuantityPerLine }),
    index,
  }));
  // Lines whose variant the catalog no longer has can only leave the cart: removed by id after.
  const orphaned = new Set<string>();
  const view = await changeLines(deps, owner, async (cart) => {
    orphaned.clear();
    const named = checked.flatMap((line) => {
      const item = cart.items.find((each) => each.id === line.id);
      if (item) return [{ ...line, variantId: item.variantId }];
      if (line.quantity === 0) return [];
      throw new NotFoundError("The cart has no line with this id.", `lines.${line.index}.id`);
    });
    const views = await viewVariants(
      deps,
      named.map((line) => line.variantId),
    );
    return named.flatMap(({ id, variantId, quantity, index }): LineChange[] => {
      const found = views.get(variantId);
      if (!found) {
        if (quantity > 0) throw new NotFoundError(`No variant has the id ${variantId}.`, `lines.${index}.id`);
        orphaned.add(id);
        return [];
      }
      return [
        {
          view: found,
          field: `lines.${index}.id`,
          quantityField: `lines.${index}.quantity`,
          quantityOf: () => quantity,
        },
      ];
    });
  });
  return orphaned.size === 0 ? view : removeLines(deps, owner, [...orphaned]);
}

async function removeLines(deps: CatalogViewDependencies, owner: CartOwner, lineIds: string[]): Promise<CartView> {
  await deps.unitOfWork(async (tx) => {
    const cart = await lockedCart(tx, owner);
    if (!cart) throw cartGone();
    if (!cart.items.some((item) => lineIds.includes(item.id))) return;
    await removeCartItems(tx, cart.id, lineIds);
    await touchCart(tx, cart.id);
  });
  return showCart(deps, owner);
}

/** Removes lines by id (`cartLinesRemove`); a line already gone is no error. */
export function removeCartLines(
  deps: CatalogViewDependencies,
  owner: CartOwner,
  lineIds: readonly string[],
): Promise<CartView> {
  checkLineCount(lineIds.length, "lineIds");
  return removeLines(
    deps,
    owner,
    lineIds.map((id, index) => requiredId(id, `lineIds.${index}`)),
  );
}

export async function clearCart(deps: CatalogViewDependencies, customerId: string): Promise<CartView> {
  const owner: CartOwner = { kind: "customer", customerId };
  await deps.unitOfWork((tx) => emptyCart(tx, owner));
  return showCart(deps, owner);
}
