import type { NormalizedCacheObject } from "@apollo/client";
import { hydrateRoot } from "react-dom/client";
import { createApolloClient } from "./apollo/createClient";
import { Session } from "./apollo/session";
import { Root } from "./Root";
import { RefreshMutation } from "./operations/account";
import { print } from "graphql";
import "./styles.css";

declare global {
  interface Window {
    __STOREFRONT__?: { routerUrl: string; state?: NormalizedCacheObject };
  }
}

const config = window.__STOREFRONT__ ?? { routerUrl: "/graphql" };
const refreshDocument = print(RefreshMutation);

/** `refreshSession` by plain fetch, outside Apollo's links (which would retry it on a 401 themselves). */
async function refresh(refreshToken: string) {
  const response = await fetch(config.routerUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: refreshDocument, variables: { refreshToken } }),
  });
  const body = (await response.json()) as { data?: { refreshSession?: unknown } };
  if (!body.data?.refreshSession) throw new Error("refresh refused");
  return body.data.refreshSession as Parameters<Session["signIn"]>[0];
}

const session = new Session(refresh);
const client = createApolloClient({ routerUrl: config.routerUrl, session, state: config.state });
hydrateRoot(
  document.getElementById("root")!,
  <Root client={client} session={session} url={window.location.pathname + window.location.search} />,
);
