import { useApolloClient, useMutation, useQuery, useSubscription } from "@apollo/client/react";
import { lazy, Suspense, useEffect, useRef, useState, type FormEvent } from "react";
import { guestOrderKey, rememberGuestOrder, type GuestOrderKey } from "../cart/guestOrders";
import { CostBreakdown } from "../components/CostBreakdown";
import { Money } from "../components/Money";
import { ErrorNotice, InfoNotice, Pending } from "../components/Notice";
import { collectPayment, PaymentFields } from "../components/PaymentFields";
import { ProductImage } from "../components/ProductImage";
import type { OrderDetailFragment, OrderPaymentFragment } from "../generated/graphql";
import { cancellationMessage, declineMessage, hasCode, shopperMessage } from "../lib/errors";
import { randomId } from "../lib/ids";
import { CartCreateMutation, CartLinesAddMutation } from "../operations/cart";
import {
  GuestOrderPaymentQuery,
  GuestOrderQuery,
  OrderQuery,
  OrderStatusSubscription,
  PlaceGuestOrderMutation,
  PlaceOrderMutation,
} from "../operations/orders";
import { usePaymentSetup, type CardCollector } from "../payments/usePaymentConfiguration";
import { Link, useRouter } from "../routing/Router";
import { useSession } from "../SessionContext";

const statusText: Record<string, string> = {
  PENDING: "Received: reserving your items",
  AWAITING_PAYMENT: "Taking payment",
  CONFIRMED: "Confirmed",
  SHIPPED: "Shipped",
  DELIVERED: "Delivered",
  CANCELLED: "Cancelled",
  REFUNDED: "Refunded",
};
const finalStatuses = new Set(["DELIVERED", "CANCELLED", "REFUNDED"]);
// Only a payment that waits for its customer (3-D Secure) needs this, and Stripe.js with it.
const PaymentAction = lazy(() => import("../payments/PaymentAction"));

type ShownOrder = OrderDetailFragment & {
  payment?: Partial<NonNullable<OrderPaymentFragment["payment"]>> | null;
  guestEmail?: string | null;
};

/**
 * One order, followed as it changes: a signed-in shopper's over graphql-ws, a guest's by asking
 * again every few seconds (the live feed is for the order's customer only).
 */
export function OrderPage({ id }: { id: string }) {
  const session = useSession();
  if (session.status === "unknown") return <Pending label="Loading your order…" height={480} />;
  // `/orders/find`, and an order placed as a guest in this browser, are looked up as a guest's
  // even when signed in: the account cannot read a guest's order by id.
  const asGuest = id === "find" || guestOrderKey(id) !== null;
  return session.status === "signedIn" && !asGuest ? <CustomerOrder id={id} /> : <GuestOrder id={id} />;
}

function OrderNotFound() {
  return (
    <section>
      <h1>Order not found</h1>
      <p>No order of yours has this number.</p>
    </section>
  );
}

/**
 * `orderStatusChanged` over graphql-ws sends the order as it is, then every change; each message
 * lands in the normalised cache as `Order:<id>`, so this page (and the list of orders) re-renders
 * without polling. The subscription ends once the order is delivered, cancelled or refunded.
 */
function CustomerOrder({ id }: { id: string }) {
  const { data, error, startPolling, stopPolling } = useQuery(OrderQuery, { variables: { id } });
  const order = data?.order;
  const live = useSubscription(OrderStatusSubscription, {
    variables: { orderId: id },
    skip: order ? finalStatuses.has(order.status) : false,
  });
  // The live feed tells the order's changes; a payment that comes to wait for its customer
  // (3-D Secure) changes no order status, so while the payment is being taken it is asked for.
  const awaitingPayment = order?.status === "AWAITING_PAYMENT";
  useEffect(() => {
    if (awaitingPayment) startPolling(2_000);
    else stopPolling();
    return () => stopPolling();
  }, [awaitingPayment, startPolling, stopPolling]);
  if (error && !order)
    return hasCode(error, "NOT_FOUND") || hasCode(error, "FORBIDDEN") ? (
      <OrderNotFound />
    ) : (
      <ErrorNotice error={error} />
    );
  if (!order) return <Pending label="Loading your order…" height={480} />;
  return <OrderDetail order={order} liveError={live.error} />;
}

/** How often a guest's order is asked for: often while payment and stock are settling, seldom after. */
function pollEvery(status: string | undefined): number {
  if (status === undefined || status === "PENDING" || status === "AWAITING_PAYMENT") return 2_000;
  return finalStatuses.has(status) ? 0 : 30_000;
}

/**
 * A guest's order: found by the number and email kept when it was placed, or asked for. An order
 * placed in this browser also has its access token, which reads the payment (and completes 3-D
 * Secure); a token the API refuses (expired) is forgotten, and the order read without it.
 */
function GuestOrder({ id }: { id: string }) {
  const [key, setKey] = useState<GuestOrderKey | null>(() => guestOrderKey(id));
  if (!key) return <GuestOrderLookup id={id} onFound={setKey} />;
  const onMissing = () => setKey(null);
  if (key.accessToken) {
    const withoutToken = { number: key.number, email: key.email };
    const onRefused = () => {
      rememberGuestOrder(id, withoutToken);
      setKey(withoutToken);
    };
    return (
      <GuestOrderWithPayment
        key={`${key.number}:payment`}
        orderKey={{ ...withoutToken, accessToken: key.accessToken }}
        onMissing={onMissing}
        onRefused={onRefused}
      />
    );
  }
  return <GuestOrderFollowed key={key.number} orderKey={key} onMissing={onMissing} />;
}

/** Asks for a guest's order every few seconds while it settles; tells when it is not found. */
function useGuestPolling(
  result: { data?: unknown; error?: unknown; startPolling(every: number): void; stopPolling(): void },
  order: { status: string } | null | undefined,
  onMissing: () => void,
): void {
  const { data, error, startPolling, stopPolling } = result;
  const every = pollEvery(order?.status);
  useEffect(() => {
    if (every > 0) startPolling(every);
    else stopPolling();
    return () => stopPolling();
  }, [every, startPolling, stopPolling]);
  const missing = hasCode(error, "NOT_FOUND") || (data !== undefined && !order);
  useEffect(() => {
    if (missing) onMissing();
  }, [missing, onMissing]);
}

function GuestOrderFollowed({ orderKey, onMissing }: { orderKey: GuestOrderKey; onMissing(): void }) {
  const result = useQuery(GuestOrderQuery, { variables: { number: orderKey.number, email: orderKey.email } });
  const order = result.data?.guestOrder;
  useGuestPolling(result, order, onMissing);
  if (result.error && !order) return <ErrorNotice error={result.error} />;
  if (!order) return <Pending label="Loading your order…" height={480} />;
  return <OrderDetail order={order} liveError={undefined} guestEmail={orderKey.email} />;
}

function GuestOrderWithPayment({
  orderKey,
  onMissing,
  onRefused,
}: {
  orderKey: Required<GuestOrderKey>;
  onMissing(): void;
  onRefused(): void;
}) {
  // The order is shown even when its payment is refused (the error is on `payment` alone).
  const result = useQuery(GuestOrderPaymentQuery, { variables: orderKey, errorPolicy: "all" });
  const order = result.data?.guestOrder;
  useGuestPolling(result, order, onMissing);
  const refused = hasCode(result.error, "FORBIDDEN");
  useEffect(() => {
    if (refused) onRefused();
  }, [refused, onRefused]);
  if (result.error && !order) return <ErrorNotice error={result.error} />;
  if (!order) return <Pending label="Loading your order…" height={480} />;
  return <OrderDetail order={order} liveError={undefined} guestEmail={orderKey.email} />;
}

/** For an order placed in another browser: its number and email find it (`guestOrder`). */
function GuestOrderLookup({ id, onFound }: { id: string; onFound(key: GuestOrderKey): void }) {
  const client = useApolloClient();
  const { navigate } = useRouter();
  const [number, setNumber] = useState("");
  const [email, setEmail] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [looking, setLooking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setLooking(true);
    const key = { number: number.trim().toUpperCase(), email: email.trim() };
    try {
      const { data } = await client.query({ query: GuestOrderQuery, variables: key, fetchPolicy: "network-only" });
      const found = data?.guestOrder;
      if (!found) {
        setProblem("No order has this number and email.");
        return;
      }
      rememberGuestOrder(found.id, key);
      if (found.id === id) onFound(key);
      else navigate(`/orders/${found.id}`);
    } catch (error) {
      setProblem(hasCode(error, "NOT_FOUND") ? "No order has this number and email." : shopperMessage(error));
    } finally {
      setLooking(false);
    }
  };

  const next = encodeURIComponent(`/orders/${id}`);
  return (
    <section className="narrow" aria-labelledby="lookup-heading">
      <h1 id="lookup-heading">Find your order</h1>
      <p>
        Enter the order number from your confirmation and the email you ordered with, or{" "}
        <Link href={`/sign-in?next=${next}`}>sign in</Link> to see your orders.
      </p>
      <form onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="lookup-number">Order number</label>
          <input id="lookup-number" required value={number} onChange={(event) => setNumber(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="lookup-email">Email</label>
          <input
            id="lookup-email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        {problem ? <ErrorNotice>{problem}</ErrorNotice> : null}
        <button type="submit" className="primary" disabled={looking}>
          {looking ? "Looking…" : "Find the order"}
        </button>
      </form>
    </section>
  );
}

function OrderDetail({
  order,
  liveError,
  guestEmail,
}: {
  order: ShownOrder;
  liveError: unknown;
  /** For a guest's order: the email it was placed with (a new payment is a new guest order). */
  guestEmail?: string;
}) {
  const declined = order.status === "CANCELLED" && order.cancellationReason === "PAYMENT_DECLINED";
  return (
    <article className="order" aria-labelledby="order-heading">
      <h1 id="order-heading">Order {order.number}</h1>
      {guestEmail ? (
        <p className="muted">Placed as a guest with {guestEmail}. Keep the order number to look it up again.</p>
      ) : null}
      <p
        className="order-status"
        role="status"
        aria-live="polite"
        data-testid="order-status"
        data-status={order.status}
      >
        {statusText[order.status] ?? order.status}
      </p>
      {order.status === "CONFIRMED" ? <InfoNotice>Thank you! Your order is confirmed.</InfoNotice> : null}
      {order.payment?.status === "REQUIRES_ACTION" && order.payment.nextAction ? (
        <Suspense fallback={<Pending label="Loading your bank's confirmation…" height={120} />}>
          <PaymentAction action={order.payment.nextAction} />
        </Suspense>
      ) : null}
      {order.status === "CANCELLED" ? (
        <ErrorNotice>
          {declined
            ? `${declineMessage(order.payment?.failureReason ?? "card_declined")} Nothing was charged.`
            : cancellationMessage(order.cancellationReason)}
        </ErrorNotice>
      ) : null}
      {declined ? <RetryPayment order={order} guestEmail={guestEmail} /> : null}
      {liveError ? (
        <p className="muted">Live updates paused ({shopperMessage(liveError)}); reload to see the latest status.</p>
      ) : null}
      <ol className="status-history" aria-label="Status history">
        {order.statusHistory.map((change) => (
          <li key={`${change.status}-${change.at}`}>
            {statusText[change.status] ?? change.status}{" "}
            <time dateTime={change.at} className="muted">
              {new Date(change.at).toLocaleString("en-GB", { timeZone: "UTC" })}
            </time>
          </li>
        ))}
      </ol>
      <ul className="order-lines">
        {order.items.map((item) => (
          <li key={item.id} className="order-line">
            <ProductImage image={item.image} size={72} />
            <span>
              {item.quantity} × {item.productName} <span className="muted">({item.variantTitle})</span>
            </span>
            <Money value={item.lineTotal} />
          </li>
        ))}
      </ul>
      <CostBreakdown cost={order.cost} testId="order" />
      <address>
        {[
          order.shippingAddress.name,
          order.shippingAddress.line1,
          order.shippingAddress.line2,
          order.shippingAddress.city,
          order.shippingAddress.postalCode,
          order.shippingAddress.country,
        ]
          .filter(Boolean)
          .join(", ")}
      </address>
      {order.shipment ? (
        <p>
          Shipped with {order.shipment.carrier}, tracking number {order.shipment.trackingNumber}.
        </p>
      ) : null}
    </article>
  );
}

/**
 * After a declined card the order is cancelled (nothing reserved, nothing charged); paying with
 * another card places the same lines again to the same address, as a new order: a signed-in
 * shopper's with `placeOrder`, a guest's from a new guest cart with `placeGuestOrder`.
 */
function RetryPayment({ order, guestEmail }: { order: ShownOrder; guestEmail: string | undefined }) {
  const [token, setToken] = useState("tok_visa");
  const paymentSetup = usePaymentSetup();
  const collector: CardCollector = useRef(null);
  const [paymentProblem, setPaymentProblem] = useState<string | null>(null);
  const [collecting, setCollecting] = useState(false);
  const [idempotencyKey] = useState(randomId);
  const [placeOrder, customerState] = useMutation(PlaceOrderMutation);
  const [createCart] = useMutation(CartCreateMutation);
  const [addLines] = useMutation(CartLinesAddMutation);
  const [placeGuestOrder, guestState] = useMutation(PlaceGuestOrderMutation);
  // A guest's new cart, filled once: trying again after an error reuses it (and the same key).
  const guestCart = useRef<string | null>(null);
  const [guestError, setGuestError] = useState<unknown>(null);
  const { navigate } = useRouter();
  const lines = order.items.flatMap((item) =>
    item.variant ? [{ variantId: item.variant.id, quantity: item.quantity }] : [],
  );
  const { name, line1, line2, city, region, postalCode, country } = order.shippingAddress;
  const shippingAddress = { name, line1, line2, city, region, postalCode, country };
  // The same shipping method and codes as the declined order, so the new one costs the same.
  const codes = order.cost.discounts.flatMap((discount) => (discount.code ? [discount.code] : []));
  const choices = {
    ...(order.cost.shippingMethod ? { shippingMethodId: order.cost.shippingMethod.id } : {}),
    ...(codes.length ? { discountCodes: codes } : {}),
  };

  const retryAsGuest = async (email: string, paymentToken: string) => {
    setGuestError(null);
    try {
      if (!guestCart.current) {
        const created = (await createCart()).data?.cartCreate;
        if (!created) return;
        await addLines({ variables: { cartToken: created.cartToken, lines } });
        guestCart.current = created.cartToken;
      }
      const input = {
        cartToken: guestCart.current,
        idempotencyKey,
        email,
        shippingAddress,
        paymentToken,
        ...choices,
      };
      const placed = (await placeGuestOrder({ variables: { input } })).data?.placeGuestOrder;
      if (!placed) return;
      rememberGuestOrder(placed.id, {
        number: placed.number,
        email,
        accessToken: placed.guestAccessToken ?? undefined,
      });
      navigate(`/orders/${placed.id}`);
    } catch (error) {
      setGuestError(error);
    }
  };

  const retry = async () => {
    setPaymentProblem(null);
    setCollecting(true);
    const collected = await collectPayment(paymentSetup, token, collector, {
      name: name || undefined,
      email: guestEmail,
    }).finally(() => setCollecting(false));
    if ("problem" in collected) return setPaymentProblem(collected.problem);
    const paymentToken = collected.token;
    if (guestEmail) return retryAsGuest(guestEmail, paymentToken);
    const input = { idempotencyKey, items: lines, paymentToken, shippingAddress, ...choices };
    const result = await placeOrder({ variables: { input } }).catch(() => null);
    if (result?.data?.placeOrder) navigate(`/orders/${result.data.placeOrder.id}`);
  };
  const loading = collecting || customerState.loading || guestState.loading;
  const error = guestEmail ? guestError : customerState.error;

  return (
    <section className="retry-payment" aria-labelledby="retry-heading">
      <h2 id="retry-heading">Try another card</h2>
      <PaymentFields
        setup={paymentSetup}
        name="retry-payment"
        testCard={token}
        onTestCardChange={setToken}
        amount={order.cost.total}
        collectorRef={collector}
      />
      {paymentProblem ? <ErrorNotice>{paymentProblem}</ErrorNotice> : null}
      {error ? <ErrorNotice>{shopperMessage(error)}</ErrorNotice> : null}
      <button
        type="button"
        className="primary"
        disabled={
          loading || lines.length === 0 || paymentSetup.kind === "loading" || paymentSetup.kind === "unavailable"
        }
        onClick={() => void retry()}
      >
        {loading ? "Paying…" : "Pay with this card"}
      </button>
    </section>
  );
}
