import { ApolloProvider } from "@apollo/client/react";
import type { ApolloClient } from "@apollo/client";
import { StrictMode } from "react";
import type { Session } from "./apollo/session";
import { App } from "./App";
import { RouterProvider } from "./routing/Router";
import { SessionProvider } from "./SessionContext";

/** The whole app with its providers: the same tree on the server and in the browser. */
export function Root({ client, session, url }: { client: ApolloClient; session: Session | null; url: string }) {
  return (
    <StrictMode>
      <ApolloProvider client={client}>
        <SessionProvider session={session}>
          <RouterProvider initialUrl={url}>
            <App />
          </RouterProvider>
        </SessionProvider>
      </ApolloProvider>
    </StrictMode>
  );
}
