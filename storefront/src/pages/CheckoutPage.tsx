import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { useCart } from "../cart/useCart";
import { AddressFields, addressInput, emptyAddress, type AddressValue } from "../components/AddressFields";
import { Money } from "../components/Money";
import { ErrorNotice, Pending } from "../components/Notice";
import { PaymentChoice } from "../components/PaymentChoice";
import { apiErrors, shopperMessage } from "../lib/errors";
import { randomId } from "../lib/ids";
import { AddressesQuery } from "../operations/account";
import { CartQuery } from "../operations/cart";
import { PlaceOrderMutation } from "../operations/orders";
import { Link, useRouter } from "../routing/Router";
import { SignInPrompt } from "./SignInPrompt";

/**
 * Checkout of the signed-in shopper's cart: where to ship, which card, then `placeOrder`, which
 * answers at once (PENDING); the order page follows payment and stock live. When the API gains
 * an email for guests, shipping methods, discount codes and a priced total (issue 16), they go
 * in as more sections of this form and more fields of the one `placeOrder` input.
 */
export function CheckoutPage() {
  const cart = useCart();
  const addresses = useQuery(AddressesQuery, { skip: cart.needsSignIn || !cart.ready });
  const [savedAddressId, setSavedAddressId] = useState<string | null>(null);
  const [address, setAddress] = useState<AddressValue>(emptyAddress);
  const [token, setToken] = useState("tok_visa");
  // One key per checkout: pressing "Place order" twice gives the same order, never two.
  const [idempotencyKey] = useState(randomId);
  const [placeOrder, { loading, error }] = useMutation(PlaceOrderMutation, { refetchQueries: [CartQuery] });
  const { navigate } = useRouter();

  if (cart.needsSignIn) return <SignInPrompt next="/checkout" what="check out" />;
  if (!cart.ready) return <Pending label="Loading your cart…" />;
  const items = cart.cart?.items ?? [];
  if (items.length === 0)
    return (
      <section>
        <h1>Checkout</h1>
        <p>
          Your cart is empty. <Link href="/search">Continue shopping</Link>.
        </p>
      </section>
    );

  const saved = addresses.data?.me.addresses ?? [];
  const chosenSaved = savedAddressId ?? saved.find((each) => each.isDefault)?.id ?? null;
  const useSaved = chosenSaved !== null && chosenSaved !== "new";
  const fieldInError = apiErrors(error).find((each) => each.field)?.field;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await placeOrder({
      variables: {
        input: {
          idempotencyKey,
          paymentToken: token,
          ...(useSaved
            ? { shippingAddressId: chosenSaved }
            : { shippingAddress: { name: address.name.trim(), ...addressInput(address) } }),
        },
      },
    }).catch(() => null);
    const order = result?.data?.placeOrder;
    if (order) navigate(`/orders/${order.id}`);
  };

  return (
    <form className="checkout" onSubmit={(event) => void submit(event)} aria-labelledby="checkout-heading">
      <h1 id="checkout-heading">Checkout</h1>
      <section aria-labelledby="shipping-heading">
        <h2 id="shipping-heading">Shipping address</h2>
        {saved.length ? (
          <fieldset>
            <legend>Ship to</legend>
            {saved.map((each) => (
              <label key={each.id} className="radio">
                <input
                  type="radio"
                  name="saved-address"
                  checked={chosenSaved === each.id}
                  onChange={() => setSavedAddressId(each.id)}
                />
                {[each.label, each.line1, each.city, each.postalCode, each.country].filter(Boolean).join(", ")}
              </label>
            ))}
            <label className="radio">
              <input
                type="radio"
                name="saved-address"
                checked={chosenSaved === "new"}
                onChange={() => setSavedAddressId("new")}
              />
              A new address
            </label>
          </fieldset>
        ) : null}
        {useSaved ? null : (
          <AddressFields idPrefix="shipping" value={address} onChange={setAddress} errorField={fieldInError} />
        )}
      </section>
      <section aria-labelledby="payment-heading">
        <h2 id="payment-heading">Payment</h2>
        <PaymentChoice name="payment" value={token} onChange={setToken} />
      </section>
      <section aria-labelledby="summary-heading" className="order-summary">
        <h2 id="summary-heading">Order summary</h2>
        <ul>
          {items.map((item) => (
            <li key={item.id}>
              {item.quantity} × {item.product?.name} <span className="muted">({item.variant?.title})</span> —{" "}
              <Money value={item.lineTotal} />
            </li>
          ))}
        </ul>
        <p>
          Total: <strong>{cart.cart ? <Money value={cart.cart.subtotal} /> : null}</strong>
        </p>
      </section>
      {error ? <ErrorNotice>{shopperMessage(error)}</ErrorNotice> : null}
      <button type="submit" className="primary" disabled={loading}>
        {loading ? "Placing your order…" : "Place order"}
      </button>
    </form>
  );
}
