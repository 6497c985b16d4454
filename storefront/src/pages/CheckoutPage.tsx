import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { guestCartToken } from "../cart/guestCartToken";
import { rememberGuestOrder } from "../cart/guestOrders";
import { useCart } from "../cart/useCart";
import { AddressFields, addressInput, emptyAddress, type AddressValue } from "../components/AddressFields";
import { Money } from "../components/Money";
import { ErrorNotice, Pending } from "../components/Notice";
import { PaymentChoice } from "../components/PaymentChoice";
import type { CartLinesFragment } from "../generated/graphql";
import { apiErrors, shopperMessage } from "../lib/errors";
import { randomId } from "../lib/ids";
import { AddressesQuery } from "../operations/account";
import { CartQuery } from "../operations/cart";
import { PlaceGuestOrderMutation, PlaceOrderMutation } from "../operations/orders";
import { Link, useRouter } from "../routing/Router";

/**
 * Checkout, in steps that each own a section of the form and a part of the order's input:
 * contact (a guest's email), shipping address, payment, then the summary. A signed-in shopper's
 * cart goes through `placeOrder`, a guest's through `placeGuestOrder` with its cart token; both
 * answer at once (PENDING) and the order page follows payment and stock.
 *
 * Where the rest slots in: a shipping-method step is one more section between the address and the
 * payment (its choice one more field of `orderInput`, `cartShippingMethodSelect` when chosen);
 * the discount code is a field of `OrderSummary` (`cartDiscountCodesUpdate`), whose total then
 * comes from the cart's priced cost instead of the subtotal.
 */
export function CheckoutPage() {
  const cart = useCart();
  if (!cart.ready) return <Pending label="Loading your cart…" />;
  const items = cart.cart?.items ?? [];
  if (!cart.cart || items.length === 0)
    return (
      <section>
        <h1>Checkout</h1>
        <p>
          Your cart is empty. <Link href="/search">Continue shopping</Link>.
        </p>
      </section>
    );
  return <CheckoutForm cart={cart.cart} guestToken={cart.guest ? cart.token : null} />;
}

function CheckoutForm({ cart, guestToken }: { cart: CartLinesFragment; guestToken: string | null }) {
  const guest = guestToken !== null;
  const addresses = useQuery(AddressesQuery, { skip: guest });
  const [email, setEmail] = useState("");
  const [savedAddressId, setSavedAddressId] = useState<string | null>(null);
  const [address, setAddress] = useState<AddressValue>(emptyAddress);
  const [token, setToken] = useState("tok_visa");
  // One key per checkout: pressing "Place order" twice gives the same order, never two.
  const [idempotencyKey] = useState(randomId);
  const [placeOrder, customerState] = useMutation(PlaceOrderMutation, { refetchQueries: [CartQuery] });
  const [placeGuestOrder, guestState] = useMutation(PlaceGuestOrderMutation);
  const { navigate } = useRouter();
  const { loading, error } = guest ? guestState : customerState;

  const saved = addresses.data?.me.addresses ?? [];
  const chosenSaved = savedAddressId ?? saved.find((each) => each.isDefault)?.id ?? null;
  const useSaved = !guest && chosenSaved !== null && chosenSaved !== "new";
  const fieldInError = apiErrors(error).find((each) => each.field)?.field;
  const shippingAddress = { name: address.name.trim(), ...addressInput(address) };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (guestToken) {
      const input = {
        cartToken: guestToken,
        idempotencyKey,
        email: email.trim(),
        shippingAddress,
        paymentToken: token,
      };
      const order = (await placeGuestOrder({ variables: { input } }).catch(() => null))?.data?.placeGuestOrder;
      if (!order) return;
      // The cart is ordered and emptied; the order page finds the order by its number and email.
      rememberGuestOrder(order.id, { number: order.number, email: input.email });
      guestCartToken.set(null);
      navigate(`/orders/${order.id}`);
      return;
    }
    const input = {
      idempotencyKey,
      paymentToken: token,
      ...(useSaved ? { shippingAddressId: chosenSaved } : { shippingAddress }),
    };
    const order = (await placeOrder({ variables: { input } }).catch(() => null))?.data?.placeOrder;
    if (order) navigate(`/orders/${order.id}`);
  };

  return (
    <form className="checkout" onSubmit={(event) => void submit(event)} aria-labelledby="checkout-heading">
      <h1 id="checkout-heading">Checkout</h1>
      {guest ? (
        <section aria-labelledby="contact-heading">
          <h2 id="contact-heading">Contact</h2>
          <div className="field">
            <label htmlFor="checkout-email">Email</label>
            <input
              id="checkout-email"
              type="email"
              autoComplete="email"
              required
              aria-invalid={fieldInError?.endsWith("email") || undefined}
              aria-describedby="checkout-email-hint"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
            <p id="checkout-email-hint" className="muted">
              For the confirmation, and to look the order up with its number.{" "}
              <Link href={`/sign-in?next=${encodeURIComponent("/checkout")}`}>Sign in</Link> to check out with your
              account instead.
            </p>
          </div>
        </section>
      ) : null}
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
      {/* The shipping-method step goes here (after the address it depends on). */}
      <section aria-labelledby="payment-heading">
        <h2 id="payment-heading">Payment</h2>
        <PaymentChoice name="payment" value={token} onChange={setToken} />
      </section>
      <OrderSummary cart={cart} />
      {error ? <ErrorNotice>{shopperMessage(error)}</ErrorNotice> : null}
      <button type="submit" className="primary" disabled={loading}>
        {loading ? "Placing your order…" : "Place order"}
      </button>
    </form>
  );
}

/** The lines and the total; the discount-code field and the priced cost go here. */
function OrderSummary({ cart }: { cart: CartLinesFragment }) {
  return (
    <section aria-labelledby="summary-heading" className="order-summary">
      <h2 id="summary-heading">Order summary</h2>
      <ul>
        {cart.items.map((item) => (
          <li key={item.id}>
            {item.quantity} × {item.product?.name} <span className="muted">({item.variant?.title})</span> —{" "}
            <Money value={item.lineTotal} />
          </li>
        ))}
      </ul>
      <p>
        Total:{" "}
        <strong data-testid="checkout-total">
          <Money value={cart.subtotal} />
        </strong>
      </p>
    </section>
  );
}
