import { useEffect, useRef, useState } from "react";
import { ErrorNotice } from "../components/Notice";
import type { OrderPaymentFragment } from "../generated/graphql";
import { handleNextAction } from "./stripeClient";
import { usePaymentSetup } from "./usePaymentConfiguration";

type NextAction = NonNullable<NonNullable<OrderPaymentFragment["payment"]>["nextAction"]>;

/**
 * A payment that waits for its customer (3-D Secure): Stripe.js shows the bank's authentication
 * at once (`handleNextAction` with the client secret), or the shopper is sent to
 * the bank's page. The order moves on when Stripe tells the payments service the outcome; this
 * page follows it. If the shopper closes the bank's window, they can open it again.
 */
export default function PaymentAction({ action }: { action: NextAction }) {
  const setup = usePaymentSetup();
  const [state, setState] = useState<{ kind: "idle" | "working" | "done" } | { kind: "problem"; message: string }>({
    kind: "idle",
  });
  const started = useRef<string | null>(null);
  const publishableKey = setup.kind === "stripe" ? setup.publishableKey : null;
  const clientSecret = action.type === "USE_SDK" ? action.clientSecret : null;

  const authenticate = async (key: string, secret: string) => {
    setState({ kind: "working" });
    const outcome = await handleNextAction(key, secret);
    setState("done" in outcome ? { kind: "done" } : { kind: "problem", message: outcome.problem });
  };
  // Once per client secret, as soon as the page knows it.
  useEffect(() => {
    if (!publishableKey || !clientSecret || started.current === clientSecret) return;
    started.current = clientSecret;
    void authenticate(publishableKey, clientSecret);
  }, [publishableKey, clientSecret]);

  return (
    <section className="payment-action" aria-labelledby="payment-action-heading">
      <h2 id="payment-action-heading">Confirm your payment</h2>
      <p>Your bank asks you to confirm this payment before it is taken.</p>
      {action.type === "REDIRECT" && action.redirectUrl ? (
        <a className="button primary" href={action.redirectUrl}>
          Confirm with your bank
        </a>
      ) : null}
      {state.kind === "working" ? <p role="status">Waiting for your bank…</p> : null}
      {state.kind === "done" ? <p role="status">Confirmed with your bank: taking the payment…</p> : null}
      {state.kind === "problem" ? <ErrorNotice>{state.message}</ErrorNotice> : null}
      {publishableKey && clientSecret && (state.kind === "problem" || state.kind === "idle") ? (
        <button type="button" className="primary" onClick={() => void authenticate(publishableKey, clientSecret)}>
          Confirm the payment
        </button>
      ) : null}
      {action.type === "USE_SDK" && setup.kind === "unavailable" ? (
        <ErrorNotice>The payment form is not available right now. Please reload the page.</ErrorNotice>
      ) : null}
    </section>
  );
}
