import { useSyncExternalStore } from "react";

/**
 * The guest cart's secret token (`cartCreate`), kept in localStorage so the cart outlives a
 * reload or a closed tab. Whoever holds it can read and change the cart, so it is sent only in
 * POST bodies (never in a URL: see apollo/createClient.ts) and forgotten once the cart is merged
 * into an account or checked out.
 */
const storageKey = "storefront.guestCart";
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

export const guestCartToken = {
  get(): string | null {
    return storage()?.getItem(storageKey) ?? null;
  },
  set(token: string | null): void {
    try {
      if (token) storage()?.setItem(storageKey, token);
      else storage()?.removeItem(storageKey);
    } catch {
      // Storage refused (private browsing): the cart then lasts as long as the page.
    }
    for (const listener of listeners) listener();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** The token as pages see it: null on the server and while hydrating, so the HTML matches. */
export function useGuestCartToken(): string | null {
  return useSyncExternalStore(guestCartToken.subscribe, guestCartToken.get, () => null);
}
