import { useMutation, useQuery, useSubscription } from "@apollo/client/react";
import { useState } from "react";
import { Money } from "../components/Money";
import { ErrorNotice, InfoNotice, Pending } from "../components/Notice";
import { PaymentChoice } from "../components/PaymentChoice";
import { ProductImage } from "../components/ProductImage";
import type { OrderDetailFragment } from "../generated/graphql";
import { cancellationMessage, declineMessage, hasCode, shopperMessage } from "../lib/errors";
import { randomId } from "../lib/ids";
import { OrderQuery, OrderStatusSubscription, PlaceOrderMutation } from "../operations/orders";
import { useRouter } from "../routing/Router";
import { useSession } from "../SessionContext";
import { SignInPrompt } from "./SignInPrompt";

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

/**
 * One order, followed live: `orderStatusChanged` over graphql-ws sends the order as it is, then
 * every change; each message lands in the normalised cache as `Order:<id>`, so this page (and the
 * list of orders) re-renders without polling. The subscription ends once the order is delivered,
 * cancelled or refunded.
 */
export function OrderPage({ id }: { id: string }) {
  const session = useSession();
  const signedIn = session.status === "signedIn";
  const { data, error } = useQuery(OrderQuery, { variables: { id }, skip: !signedIn });
  const order = data?.order;
  const live = useSubscription(OrderStatusSubscription, {
    variables: { orderId: id },
    skip: !signedIn || (order ? finalStatuses.has(order.status) : false),
  });

  if (session.status === "signedOut") return <SignInPrompt next={`/orders/${id}`} what="see this order" />;
  if (error && !order)
    return hasCode(error, "NOT_FOUND") || hasCode(error, "FORBIDDEN") ? (
      <section>
        <h1>Order not found</h1>
        <p>No order of yours has this number.</p>
      </section>
    ) : (
      <ErrorNotice error={error} />
    );
  if (!order) return <Pending label="Loading your order…" height={480} />;
  return <OrderDetail order={order} liveError={live.error} />;
}

function OrderDetail({ order, liveError }: { order: OrderDetailFragment; liveError: unknown }) {
  const declined = order.status === "CANCELLED" && order.cancellationReason === "PAYMENT_DECLINED";
  return (
    <article className="order" aria-labelledby="order-heading">
      <h1 id="order-heading">Order {order.number}</h1>
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
      {order.status === "CANCELLED" ? (
        <ErrorNotice>
          {declined
            ? `${declineMessage(order.payment?.failureReason)} Nothing was charged.`
            : cancellationMessage(order.cancellationReason)}
        </ErrorNotice>
      ) : null}
      {declined ? <RetryPayment order={order} /> : null}
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
      <p>
        Total:{" "}
        <strong>
          <Money value={order.total} />
        </strong>
      </p>
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
 * another card places the same lines again to the same address, as a new order.
 */
function RetryPayment({ order }: { order: OrderDetailFragment }) {
  const [token, setToken] = useState("tok_visa");
  const [idempotencyKey] = useState(randomId);
  const [placeOrder, { loading, error }] = useMutation(PlaceOrderMutation);
  const { navigate } = useRouter();
  const lines = order.items.flatMap((item) =>
    item.variant ? [{ variantId: item.variant.id, quantity: item.quantity }] : [],
  );
  const { name, line1, line2, city, region, postalCode, country } = order.shippingAddress;

  const retry = async () => {
    const result = await placeOrder({
      variables: {
        input: {
          idempotencyKey,
          items: lines,
          paymentToken: token,
          shippingAddress: { name, line1, line2, city, region, postalCode, country },
        },
      },
    }).catch(() => null);
    if (result?.data?.placeOrder) navigate(`/orders/${result.data.placeOrder.id}`);
  };

  return (
    <section className="retry-payment" aria-labelledby="retry-heading">
      <h2 id="retry-heading">Try another card</h2>
      <PaymentChoice name="retry-payment" value={token} onChange={setToken} />
      {error ? <ErrorNotice>{shopperMessage(error)}</ErrorNotice> : null}
      <button type="button" className="primary" disabled={loading || lines.length === 0} onClick={() => void retry()}>
        {loading ? "Paying…" : "Pay with this card"}
      </button>
    </section>
  );
}
