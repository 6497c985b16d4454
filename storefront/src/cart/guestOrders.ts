/**
 * The guest's own orders, by id: their number and email, the pair `guestOrder` looks an order up
 * by, and the order's access token when it was placed in this browser (`placeGuestOrder` answers
 * it once), which reads the payment and completes 3-D Secure. Kept in localStorage (the last ten)
 * so the order page can follow an order placed in this browser; another browser asks for the
 * number and email instead (and sees the order, not its payment).
 */
export interface GuestOrderKey {
  number: string;
  email: string;
  /** `Order.guestAccessToken`: short-lived, forgotten once the API refuses it. */
  accessToken?: string | undefined;
}

const storageKey = "storefront.guestOrders";
const kept = 10;

function read(): Record<string, GuestOrderKey> {
  try {
    const stored = typeof localStorage === "undefined" ? null : localStorage.getItem(storageKey);
    return stored ? (JSON.parse(stored) as Record<string, GuestOrderKey>) : {};
  } catch {
    return {};
  }
}

export function guestOrderKey(orderId: string): GuestOrderKey | null {
  return read()[orderId] ?? null;
}

export function rememberGuestOrder(orderId: string, key: GuestOrderKey): void {
  const entries = Object.entries(read()).filter(([id]) => id !== orderId);
  entries.push([orderId, key]);
  try {
    localStorage.setItem(storageKey, JSON.stringify(Object.fromEntries(entries.slice(-kept))));
  } catch {
    // Storage refused: the order can still be looked up by number and email.
  }
}
