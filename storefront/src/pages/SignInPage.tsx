import { useApolloClient, useMutation } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { ErrorNotice, InfoNotice } from "../components/Notice";
import { hasCode, shopperMessage } from "../lib/errors";
import { guestCartToken } from "../cart/guestCartToken";
import { LoginMutation, RegisterMutation } from "../operations/account";
import { CartMergeMutation } from "../operations/cart";
import { Link, useRouter } from "../routing/Router";
import { useSession, useSessionStore } from "../SessionContext";

/** Only paths inside the shop are followed after sign-in (no open redirect). */
function nextPath(query: URLSearchParams): string {
  const next = query.get("next") ?? "/";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function SignInPage({ mode }: { mode: "signIn" | "register" }) {
  const { match, navigate } = useRouter();
  const session = useSessionStore();
  const state = useSession();
  const client = useApolloClient();
  const [login, loginState] = useMutation(LoginMutation);
  const [register, registerState] = useMutation(RegisterMutation);
  const [merge] = useMutation(CartMergeMutation);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  // Signed in, the guest cart still merging and the cache being emptied: the form stays busy.
  const [finishing, setFinishing] = useState(false);
  const next = nextPath(match.query);
  const { error } = mode === "signIn" ? loginState : registerState;
  const loading = loginState.loading || registerState.loading || finishing;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result =
      mode === "signIn"
        ? (await login({ variables: { input: { email, password } } }).catch(() => null))?.data?.login
        : (await register({ variables: { input: { email, password, name } } }).catch(() => null))?.data?.register;
    if (!result || !session) return;
    setFinishing(true);
    session.signIn(result);
    // What a guest put in the cart joins the account's cart (quantities of a variant in both add
    // up, to at most 99). A guest cart gone meanwhile (expired) is no error: there is nothing to merge.
    const cartToken = guestCartToken.get();
    if (cartToken) {
      await merge({ variables: { cartToken } }).catch(() => null);
      guestCartToken.set(null);
    }
    // What the cache holds was fetched anonymously: start the signed-in shopper afresh.
    await client.clearStore();
    navigate(next, { replace: true });
  };

  const title = mode === "signIn" ? "Sign in" : "Create an account";
  const other = `${mode === "signIn" ? "/register" : "/sign-in"}?next=${encodeURIComponent(next)}`;
  return (
    <section className="narrow" aria-labelledby="auth-heading">
      <h1 id="auth-heading">{title}</h1>
      {state.status === "signedOut" && state.expired ? (
        <InfoNotice>Your session has expired. Please sign in again.</InfoNotice>
      ) : null}
      <form onSubmit={(event) => void submit(event)}>
        {mode === "register" ? (
          <div className="field">
            <label htmlFor="name">Name</label>
            <input id="name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            id="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete={mode === "signIn" ? "current-password" : "new-password"}
            required
            minLength={mode === "register" ? 8 : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error ? (
          <ErrorNotice>
            {mode === "signIn" && hasCode(error, "UNAUTHENTICATED")
              ? "That email and password do not match an account."
              : shopperMessage(error)}
          </ErrorNotice>
        ) : null}
        <button type="submit" className="primary" disabled={loading}>
          {loading ? "Please wait…" : title}
        </button>
      </form>
      <p>
        {mode === "signIn" ? "New here? " : "Have an account? "}
        <Link href={other}>{mode === "signIn" ? "Create an account" : "Sign in"}</Link>
      </p>
    </section>
  );
}
