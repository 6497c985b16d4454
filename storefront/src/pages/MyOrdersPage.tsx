import { useQuery, useSubscription } from "@apollo/client/react";
import { Money } from "../components/Money";
import { ErrorNotice, Pending } from "../components/Notice";
import { MyOrderUpdatesSubscription, MyOrdersQuery } from "../operations/orders";
import { Link } from "../routing/Router";
import { useSession } from "../SessionContext";
import { SignInPrompt } from "./SignInPrompt";

/** The shopper's orders; `myOrderUpdates` (graphql-ws) keeps their statuses current in the cache. */
export function MyOrdersPage() {
  const session = useSession();
  const signedIn = session.status === "signedIn";
  const { data, error } = useQuery(MyOrdersQuery, {
    variables: { first: 20 },
    skip: !signedIn,
    fetchPolicy: "cache-and-network",
  });
  useSubscription(MyOrderUpdatesSubscription, { skip: !signedIn });
  if (session.status === "signedOut") return <SignInPrompt next="/account/orders" what="see your orders" />;
  if (error && !data) return <ErrorNotice error={error} />;
  if (!data) return <Pending label="Loading your orders…" />;
  const orders = data.me.orders?.edges.map(({ node }) => node) ?? [];
  return (
    <section aria-labelledby="orders-heading">
      <h1 id="orders-heading">My orders</h1>
      {data.me.orders === null ? (
        <ErrorNotice>Orders cannot be shown right now. Please try again shortly.</ErrorNotice>
      ) : null}
      {orders.length === 0 ? (
        <p>
          No orders yet. <Link href="/search">Start shopping</Link>.
        </p>
      ) : (
        <table className="orders-table">
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col">Status</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.id}>
                <td>
                  <Link href={`/orders/${order.id}`}>{order.number}</Link>
                </td>
                <td>
                  <time dateTime={order.createdAt}>{order.createdAt.slice(0, 10)}</time>
                </td>
                <td>{order.status.toLowerCase().replace("_", " ")}</td>
                <td>
                  <Money value={order.total} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
