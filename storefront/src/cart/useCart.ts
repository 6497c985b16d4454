import { useMutation, useQuery } from "@apollo/client/react";
import { useCallback } from "react";
import { AddToCartMutation, CartQuery, UpdateCartLineMutation } from "../operations/cart";
import { useSession } from "../SessionContext";

/**
 * The cart, whoever holds it. Today the API keeps a cart for signed-in shoppers only, so a guest
 * is asked to sign in first (`needsSignIn`). When the API's guest cart lands, this hook is the
 * one place to change: keep the guest cart's id in localStorage, pass it to the cart operations,
 * and merge it on sign-in (storefront/README.md, "When guest carts land").
 */
export function useCart() {
  const session = useSession();
  const signedIn = session.status === "signedIn";
  const { data, error, loading } = useQuery(CartQuery, { skip: !signedIn, fetchPolicy: "cache-and-network" });
  const [add, addState] = useMutation(AddToCartMutation);
  const [update, updateState] = useMutation(UpdateCartLineMutation);

  const addLine = useCallback(
    async (variantId: string, quantity: number) => {
      // The mutation answers the whole cart, which the cache stores as `Cart:<id>`: the header's
      // count and the cart page update without another request.
      const result = await add({ variables: { variantId, quantity }, refetchQueries: data ? [] : [CartQuery] });
      return result.data?.addToCart ?? null;
    },
    [add, data],
  );
  const setQuantity = useCallback(
    async (variantId: string, quantity: number) => {
      const result = await update({ variables: { variantId, quantity } });
      return result.data?.updateCartItem ?? null;
    },
    [update],
  );

  return {
    needsSignIn: session.status === "signedOut",
    ready: session.status !== "unknown" && (!signedIn || data !== undefined || error !== undefined),
    cart: signedIn ? (data?.cart ?? null) : null,
    error,
    loading,
    addLine,
    adding: addState.loading,
    setQuantity,
    updating: updateState.loading,
  };
}
