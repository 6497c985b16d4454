import { useApolloClient, useMutation } from "@apollo/client/react";
import { useEffect } from "react";
import { useCart } from "./cart/useCart";
import { InfoNotice } from "./components/Notice";
import { LogoutMutation } from "./operations/account";
import { AddressesPage } from "./pages/AddressesPage";
import { CartPage } from "./pages/CartPage";
import { CheckoutPage } from "./pages/CheckoutPage";
import { HomePage } from "./pages/HomePage";
import { MyOrdersPage } from "./pages/MyOrdersPage";
import { OrderPage } from "./pages/OrderPage";
import { ProductPage } from "./pages/ProductPage";
import { SearchPage } from "./pages/SearchPage";
import { SignInPage } from "./pages/SignInPage";
import { Link, useRouter } from "./routing/Router";
import { useSession, useSessionStore } from "./SessionContext";

function Page() {
  const { match } = useRouter();
  switch (match.name) {
    case "home":
      return <HomePage />;
    case "search":
      return <SearchPage />;
    case "product":
      return <ProductPage key={match.params.slug} slug={match.params.slug ?? ""} />;
    case "cart":
      return <CartPage />;
    case "checkout":
      return <CheckoutPage />;
    case "order":
      return <OrderPage key={match.params.id} id={match.params.id ?? ""} />;
    case "signIn":
      return <SignInPage key="signIn" mode="signIn" />;
    case "register":
      return <SignInPage key="register" mode="register" />;
    case "myOrders":
      return <MyOrdersPage />;
    case "addresses":
      return <AddressesPage />;
    case "notFound":
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            <Link href="/">Back to the shop</Link>
          </p>
        </section>
      );
  }
}

function AccountLinks() {
  const state = useSession();
  const session = useSessionStore();
  const client = useApolloClient();
  const { navigate } = useRouter();
  const [logout] = useMutation(LogoutMutation);
  const cart = useCart();
  if (state.status === "unknown") return <span className="account-links" aria-hidden="true" />;
  const signOut = async () => {
    const refreshToken = session?.refreshToken;
    if (refreshToken) await logout({ variables: { refreshToken } }).catch(() => null);
    session?.signOut();
    await client.clearStore();
    navigate("/");
  };
  return (
    <span className="account-links">
      {/* Its width is kept (.cart-link) so the count, which comes with the cart, moves no link. */}
      <Link href="/cart" className="cart-link">
        Cart{cart.cart ? <span className="cart-count"> ({cart.cart.itemCount})</span> : null}
      </Link>
      {state.status === "signedIn" ? (
        <>
          <Link href="/account/orders">My orders</Link>
          <Link href="/account/addresses">Addresses</Link>
          <button type="button" className="link-button" onClick={() => void signOut()}>
            Sign out<span className="visually-hidden"> {state.user.name}</span>
          </button>
        </>
      ) : (
        <Link href="/sign-in">Sign in</Link>
      )}
    </span>
  );
}

function SessionBanner() {
  const state = useSession();
  const { match } = useRouter();
  if (state.status !== "signedOut" || !state.expired || match.name === "signIn") return null;
  return (
    <InfoNotice>
      Your session has expired.{" "}
      <Link href={`/sign-in?next=${encodeURIComponent(location.pathname)}`}>Sign in again</Link>
    </InfoNotice>
  );
}

export function App() {
  // Marks the page interactive once React has taken over the server's HTML: before that a click
  // does nothing and a form would be sent by the browser itself. Tests wait for it.
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link href="/" className="brand">
          Supergraph Shop
        </Link>
        <nav aria-label="Main">
          <Link href="/search">Shop all</Link>
          <AccountLinks />
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <SessionBanner />
        <Page />
      </main>
      <footer className="site-footer">
        <p>
          A storefront starter on the commerce supergraph. <Link href="/orders/find">Find an order</Link>
        </p>
      </footer>
    </>
  );
}
