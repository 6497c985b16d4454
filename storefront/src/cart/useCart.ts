import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { useCallback, useEffect } from "react";
import type { CartLinesFragment } from "../generated/graphql";
import { hasCode } from "../lib/errors";
import { CartCreateMutation, CartLinesAddMutation, CartLinesUpdateMutation, CartQuery } from "../operations/cart";
import { useSession } from "../SessionContext";
import { guestCartToken, useGuestCartToken } from "./guestCartToken";

/**
 * The cart, whoever holds it: the signed-in shopper's, or a guest's, addressed by the token kept
 * in localStorage (created on the first "Add to cart"). The one place that knows which: pages ask
 * it for the cart and to change lines. Each change answers the whole cart, written into the cache
 * under the cart query, so the header's count and the cart page follow without another request.
 */
export function useCart() {
  const session = useSession();
  const token = useGuestCartToken();
  const client = useApolloClient();
  const signedIn = session.status === "signedIn";
  const guest = session.status === "signedOut";
  const variables = signedIn ? {} : { token };
  const skip = !signedIn && !(guest && token);
  const { data, error, loading } = useQuery(CartQuery, { variables, skip, fetchPolicy: "cache-and-network" });
  const [create] = useMutation(CartCreateMutation);
  const [add, addState] = useMutation(CartLinesAddMutation);
  const [update, updateState] = useMutation(CartLinesUpdateMutation);

  // A guest cart unused for 30 days is deleted: forget its token, the next add starts another.
  const expired = guest && token !== null && hasCode(error, "NOT_FOUND");
  useEffect(() => {
    if (expired) guestCartToken.set(null);
  }, [expired]);

  const store = useCallback(
    (cart: CartLinesFragment, cartToken: string | null) =>
      client.writeQuery({ query: CartQuery, variables: cartToken ? { token: cartToken } : {}, data: { cart } }),
    [client],
  );

  const addLine = useCallback(
    async (variantId: string, quantity: number) => {
      let cartToken = signedIn ? null : guestCartToken.get();
      if (!signedIn && !cartToken) {
        const created = (await create()).data?.cartCreate;
        if (!created) return null;
        cartToken = created.cartToken;
        store(created.cart, cartToken);
        guestCartToken.set(cartToken);
      }
      const cart = (await add({ variables: { cartToken, lines: [{ variantId, quantity }] } })).data?.cartLinesAdd;
      if (cart) store(cart, cartToken);
      return cart ?? null;
    },
    [add, create, signedIn, store],
  );
  const setQuantity = useCallback(
    async (lineId: string, quantity: number) => {
      const cartToken = signedIn ? null : guestCartToken.get();
      const cart = (await update({ variables: { cartToken, lines: [{ id: lineId, quantity }] } })).data
        ?.cartLinesUpdate;
      if (cart) store(cart, cartToken);
      return cart ?? null;
    },
    [signedIn, store, update],
  );

  return {
    /** Whether the cart is a guest's (checked out with an email, merged on sign-in). */
    guest,
    /** The guest cart's token, for the guest checkout; null for a signed-in shopper. */
    token: signedIn ? null : token,
    ready: session.status !== "unknown" && (skip || data !== undefined || (error !== undefined && !expired)),
    cart: skip || expired ? null : (data?.cart ?? null),
    error: expired ? undefined : error,
    loading,
    addLine,
    adding: addState.loading,
    setQuantity,
    updating: updateState.loading,
  };
}
