/**
 * Whose uses of a discount count against its per-customer limit: a customer by their id, a guest
 * by their (lower-cased) email, so a guest cannot use a code again from a new cart. Null while a
 * guest has given no email yet: no uses of theirs are known.
 */
export function discountBuyerKey(buyer: { customerId: string | null; guestEmail: string | null }): string | null {
  if (buyer.guestEmail) return `email:${buyer.guestEmail.trim().toLowerCase()}`;
  return buyer.customerId ? `customer:${buyer.customerId}` : null;
}

/** The buyer key of a cart: its customer's, or for a guest cart the email of its buyer identity. */
export function cartBuyerKey(cart: { customerId: string | null; buyer: { email: string | null } }): string | null {
  return cart.customerId
    ? discountBuyerKey({ customerId: cart.customerId, guestEmail: null })
    : discountBuyerKey({ customerId: null, guestEmail: cart.buyer.email });
}

/** The buyer key an order held its discount uses under (a guest order keeps its email once attached). */
export function orderBuyerKey(order: { customerId: string; guestEmail: string | null }): string {
  return discountBuyerKey(order)!;
}
