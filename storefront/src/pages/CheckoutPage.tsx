import { useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { guestCartToken } from "../cart/guestCartToken";
import { rememberGuestOrder } from "../cart/guestOrders";
import { useCart } from "../cart/useCart";
import { AddressFields, addressInput, emptyAddress, type AddressValue } from "../components/AddressFields";
import { CostBreakdown } from "../components/CostBreakdown";
import { Money } from "../components/Money";
import { ErrorNotice, Pending } from "../components/Notice";
import { collectPayment, PaymentFields } from "../components/PaymentFields";
import type { CartLinesFragment, StorefrontCheckoutPricingQuery } from "../generated/graphql";
import { apiErrors, discountCodeMessage, shopperMessage } from "../lib/errors";
import { randomId } from "../lib/ids";
import { AddressesQuery } from "../operations/account";
import { CartQuery } from "../operations/cart";
import { PlaceGuestOrderMutation, PlaceOrderMutation } from "../operations/orders";
import {
  CartDiscountCodesUpdateMutation,
  CartShippingMethodSelectMutation,
  CheckoutPricingQuery,
} from "../operations/pricing";
import { usePaymentSetup, type CardCollector } from "../payments/usePaymentConfiguration";
import { Link, useRouter } from "../routing/Router";

/**
 * Checkout, in steps that each own a section of the form and a part of the order's input:
 * contact (a guest's email), shipping address, shipping method, payment, then the summary with the
 * discount code and the priced total. A signed-in shopper's cart goes through `placeOrder`, a
 * guest's through `placeGuestOrder` with its cart token; both answer at once (PENDING) and the
 * order page follows payment and stock.
 *
 * The cart is priced by the API at the address being typed (`Cart.cost(destination:)`, with the
 * methods `availableShippingMethods(destination:)` offers there): the method chosen
 * (`cartShippingMethodSelect`) and the codes (`cartDiscountCodesUpdate`) are kept on the cart,
 * and the order is placed with the same method and codes, so it costs what the page showed.
 *
 * Payment as the shop is configured (`paymentConfiguration`): the simulated provider's test
 * cards, or Stripe's Payment Element (loaded on demand), whose card becomes a PaymentMethod with
 * Stripe.js when the order is placed. A payment that needs 3-D Secure is completed on the order page.
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
  const paymentSetup = usePaymentSetup();
  const collector: CardCollector = useRef(null);
  const [paymentProblem, setPaymentProblem] = useState<string | null>(null);
  const [collecting, setCollecting] = useState(false);
  // One key per checkout: pressing "Place order" twice gives the same order, never two.
  const [idempotencyKey] = useState(randomId);
  const [placeOrder, customerState] = useMutation(PlaceOrderMutation, { refetchQueries: [CartQuery] });
  const [placeGuestOrder, guestState] = useMutation(PlaceGuestOrderMutation);
  const { navigate } = useRouter();
  const { error } = guest ? guestState : customerState;
  const loading = collecting || (guest ? guestState : customerState).loading;

  const saved = addresses.data?.me.addresses ?? [];
  const chosenSaved = savedAddressId ?? saved.find((each) => each.isDefault)?.id ?? null;
  const useSaved = !guest && chosenSaved !== null && chosenSaved !== "new";
  const fieldInError = apiErrors(error).find((each) => each.field)?.field;
  const shippingAddress = { name: address.name.trim(), ...addressInput(address) };

  // Where the cart is priced: the saved address chosen, or the country (and region) being typed.
  const savedChosen = useSaved ? saved.find((each) => each.id === chosenSaved) : undefined;
  const typedDestination = destinationOf(
    savedChosen ? savedChosen.country : address.country,
    savedChosen ? savedChosen.region : address.region,
  );
  const destination = useDebounced(typedDestination, 400);
  const pricedHere = JSON.stringify(typedDestination) === JSON.stringify(destination);
  const pricing = useQuery(CheckoutPricingQuery, {
    variables: guestToken ? { token: guestToken, destination } : { destination },
    fetchPolicy: "cache-and-network",
  });
  const priced = pricing.data?.cart ?? null;
  const refetchPricing: Refetch = { refetchQueries: [CheckoutPricingQuery], awaitRefetchQueries: true };
  // What the order is placed with: the method priced (the shopper's choice, else the cheapest) and
  // the cart's codes. A method priced at an address since changed is left to the API to choose.
  const choices = priced
    ? {
        ...(priced.cost.shippingMethod && pricedHere ? { shippingMethodId: priced.cost.shippingMethod.id } : {}),
        discountCodes: priced.discountCodes,
      }
    : {};

  // What the card is charged: the priced total, else the subtotal until the cart is priced.
  const amount = priced?.cost.total ?? cart.subtotal;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPaymentProblem(null);
    setCollecting(true);
    const billing = {
      name: (useSaved ? undefined : shippingAddress.name) || undefined,
      email: guest ? email.trim() : undefined,
    };
    const collected = await collectPayment(paymentSetup, token, collector, billing).finally(() => setCollecting(false));
    if ("problem" in collected) {
      setPaymentProblem(collected.problem);
      return;
    }
    const paymentToken = collected.token;
    if (guestToken) {
      const input = {
        cartToken: guestToken,
        idempotencyKey,
        email: email.trim(),
        shippingAddress,
        paymentToken,
        ...choices,
      };
      const order = (await placeGuestOrder({ variables: { input } }).catch(() => null))?.data?.placeGuestOrder;
      if (!order) return;
      // The cart is ordered and emptied; the order page finds the order by its number and email,
      // and reads its payment (3-D Secure) with the access token answered here only.
      rememberGuestOrder(order.id, {
        number: order.number,
        email: input.email,
        accessToken: order.guestAccessToken ?? undefined,
      });
      guestCartToken.set(null);
      navigate(`/orders/${order.id}`);
      return;
    }
    const input = {
      idempotencyKey,
      paymentToken,
      ...(useSaved ? { shippingAddressId: chosenSaved } : { shippingAddress }),
      ...choices,
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
      <ShippingMethodStep
        guestToken={guestToken}
        country={destination?.country ?? null}
        priced={priced}
        loading={pricing.loading}
        refetch={refetchPricing}
      />
      <section aria-labelledby="payment-heading">
        <h2 id="payment-heading">Payment</h2>
        <PaymentFields
          setup={paymentSetup}
          name="payment"
          testCard={token}
          onTestCardChange={setToken}
          amount={amount}
          collectorRef={collector}
        />
        {paymentProblem ? <ErrorNotice>{paymentProblem}</ErrorNotice> : null}
      </section>
      <OrderSummary cart={cart} guestToken={guestToken} priced={priced} refetch={refetchPricing} />
      {error ? <ErrorNotice>{shopperMessage(error)}</ErrorNotice> : null}
      <button
        type="submit"
        className="primary"
        disabled={loading || paymentSetup.kind === "loading" || paymentSetup.kind === "unavailable"}
      >
        {loading ? "Placing your order…" : "Place order"}
      </button>
    </form>
  );
}

type PricedCart = NonNullable<StorefrontCheckoutPricingQuery["cart"]>;
interface Refetch {
  refetchQueries: Array<typeof CheckoutPricingQuery>;
  awaitRefetchQueries: boolean;
}

/** A destination once the country is a two-letter code; null before (priced without shipping and tax). */
function destinationOf(country: string | null | undefined, region: string | null | undefined) {
  const code = country?.trim().toUpperCase() ?? "";
  if (!/^[A-Z]{2}$/.test(code)) return null;
  const area = region?.trim();
  return area ? { country: code, region: area } : { country: code };
}

/** The value once it has stopped changing for `ms`: the cart is priced once per address, not per keystroke. */
function useDebounced<T>(value: T, ms: number): T {
  const key = JSON.stringify(value);
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(JSON.parse(key) as T), ms);
    return () => clearTimeout(timer);
  }, [key, ms]);
  return settled;
}

/**
 * The shipping methods offered at the address, each with its price for this cart (cheapest
 * first). The one priced is checked: the shopper's choice, else the cheapest. Choosing another
 * keeps it on the cart and prices the cart again.
 */
function ShippingMethodStep({
  guestToken,
  country,
  priced,
  loading,
  refetch,
}: {
  guestToken: string | null;
  country: string | null;
  priced: PricedCart | null;
  loading: boolean;
  refetch: Refetch;
}) {
  const [select, selectState] = useMutation(CartShippingMethodSelectMutation, refetch);
  const [choosing, setChoosing] = useState<string | null>(null);
  const methods = priced?.availableShippingMethods ?? [];
  const checked = choosing ?? priced?.cost.shippingMethod?.id ?? null;

  const choose = async (id: string) => {
    setChoosing(id);
    await select({ variables: { cartToken: guestToken, shippingMethodId: id } }).catch(() => null);
    setChoosing(null);
  };

  let body;
  if (!country) body = <p className="muted">Enter your address to see the shipping methods and their prices.</p>;
  else if (!priced) body = <p className="muted">Finding the shipping methods for your address…</p>;
  else if (methods.length === 0)
    body = loading ? (
      <p className="muted">Finding the shipping methods for your address…</p>
    ) : (
      <p className="muted" data-testid="no-shipping">
        There is no shipping method for {country} to choose: the shop prices this order without one.
      </p>
    );
  else
    body = (
      <fieldset disabled={selectState.loading}>
        <legend>Ship with</legend>
        {methods.map((method) => (
          <label key={method.id} className="radio">
            <input
              type="radio"
              name="shipping-method"
              value={method.id}
              checked={checked === method.id}
              onChange={() => void choose(method.id)}
            />
            {method.name} — <Money value={method.price} />
          </label>
        ))}
      </fieldset>
    );

  return (
    <section aria-labelledby="shipping-method-heading" className="shipping-methods" aria-busy={loading || undefined}>
      <h2 id="shipping-method-heading">Shipping method</h2>
      {body}
      {selectState.error ? <ErrorNotice>{shopperMessage(selectState.error)}</ErrorNotice> : null}
    </section>
  );
}

/**
 * The lines, the discount codes and the priced total (subtotal, discounts, shipping, tax, total),
 * as the API prices the cart at the address; the subtotal alone until the cart is priced.
 */
function OrderSummary({
  cart,
  guestToken,
  priced,
  refetch,
}: {
  cart: CartLinesFragment;
  guestToken: string | null;
  priced: PricedCart | null;
  refetch: Refetch;
}) {
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
      <DiscountCodes guestToken={guestToken} codes={priced?.discountCodes ?? []} refetch={refetch} />
      {priced ? (
        <CostBreakdown cost={priced.cost} testId="checkout" />
      ) : (
        <p>
          Total:{" "}
          <strong data-testid="checkout-total">
            <Money value={cart.subtotal} />
          </strong>{" "}
          <span className="muted">before shipping and tax</span>
        </p>
      )}
    </section>
  );
}

/**
 * The discount-code field (inside the checkout form, so Enter applies the code rather than placing
 * the order). The API checks each code against the cart: a code that does not apply now is
 * refused with its reason (UNKNOWN, EXPIRED...), shown under the field, and the cart keeps its
 * other codes.
 */
function DiscountCodes({
  guestToken,
  codes,
  refetch,
}: {
  guestToken: string | null;
  codes: string[];
  refetch: Refetch;
}) {
  const [typed, setTyped] = useState("");
  const [update, { loading }] = useMutation(CartDiscountCodesUpdateMutation, refetch);
  const [refusal, setRefusal] = useState<{ message: string; reason: string | null } | null>(null);

  const save = async (next: string[]) => {
    setRefusal(null);
    try {
      await update({ variables: { cartToken: guestToken, codes: next } });
      return true;
    } catch (error) {
      setRefusal(discountCodeMessage(error));
      return false;
    }
  };
  const apply = async () => {
    const code = typed.trim();
    if (!code) return;
    if (codes.includes(code.toUpperCase())) {
      setTyped("");
      return;
    }
    if (await save([...codes, code])) setTyped("");
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    void apply();
  };

  return (
    <div className="discount-codes">
      <div className="field">
        <label htmlFor="discount-code">Discount code</label>
        <div className="inline-field">
          <input
            id="discount-code"
            autoComplete="off"
            maxLength={50}
            value={typed}
            aria-invalid={refusal ? true : undefined}
            aria-describedby={refusal ? "discount-code-error" : undefined}
            onChange={(event) => setTyped(event.target.value)}
            onKeyDown={onKeyDown}
          />
          <button type="button" disabled={loading || !typed.trim()} onClick={() => void apply()}>
            {loading ? "Applying…" : "Apply"}
          </button>
        </div>
        {refusal ? (
          <p id="discount-code-error" className="field-error" role="alert" data-reason={refusal.reason ?? undefined}>
            {refusal.message}
          </p>
        ) : null}
      </div>
      {codes.length ? (
        <ul className="applied-codes" aria-label="Discount codes applied">
          {codes.map((code) => (
            <li key={code}>
              <span data-testid="applied-code">{code}</span>{" "}
              <button
                type="button"
                className="link-button"
                disabled={loading}
                aria-label={`Remove the code ${code}`}
                onClick={() => void save(codes.filter((each) => each !== code))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
