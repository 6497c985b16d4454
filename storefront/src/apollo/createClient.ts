import { ApolloClient, ApolloLink, HttpLink, type NormalizedCacheObject } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { Kind, OperationTypeNode } from "graphql";
import { createClient as createWsClient } from "graphql-ws";
import { authenticatedFetch } from "./authFetch";
import { createCache } from "./cache";
import type { Session } from "./session";
import { canHash, sha256 } from "./sha256";

export interface ClientOptions {
  /** The router's GraphQL endpoint, such as `http://localhost:4000/graphql`. */
  routerUrl: string;
  /** Present in the browser; the server renders catalog pages anonymously. */
  session?: Session;
  /** The cache the server rendered with, to hydrate from. */
  state?: NormalizedCacheObject;
  ssr?: boolean;
}

/**
 * Variables that are secrets or personal (a guest cart's token, an email): an operation carrying
 * one goes by POST, so they never end up in a URL (server logs, proxies, the browser's history).
 */
const privateVariables = ["token", "cartToken", "email", "accessToken"];
const carriesPrivateVariables = ({ variables }: { variables?: Record<string, unknown> }) =>
  privateVariables.some((name) => variables?.[name] != null);

const isSubscription = ({ query }: { query: Parameters<typeof getMainDefinition>[0] }) => {
  const definition = getMainDefinition(query);
  return definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.SUBSCRIPTION;
};

/**
 * Apollo Client against the router only, as any client: automatic persisted queries (the hash
 * first, the query text only when the router does not know it yet; queries by GET so caches in
 * between can keep them, unless they carry a secret), the session's token on every request with
 * a refresh on 401, and subscriptions over graphql-ws on the same `/graphql`.
 */
export function createApolloClient(options: ClientOptions): ApolloClient {
  const fetchWithSession = options.session ? authenticatedFetch(options.session) : fetch;
  const http = new HttpLink({ uri: options.routerUrl, fetch: (input, init) => fetchWithSession(input, init) });
  let link: ApolloLink = canHash()
    ? ApolloLink.split(
        carriesPrivateVariables,
        ApolloLink.from([new PersistedQueryLink({ sha256 }), http]),
        ApolloLink.from([new PersistedQueryLink({ sha256, useGETForHashedQueries: true }), http]),
      )
    : http;

  if (options.session && typeof window !== "undefined") {
    const session = options.session;
    const ws = new GraphQLWsLink(
      createWsClient({
        url: options.routerUrl.replace(/^http/, "ws"),
        lazy: true,
        // Asked at every (re)connection, so a refreshed token is used after a reconnect.
        connectionParams: async () => {
          const token = await session.accessToken();
          return token ? { authorization: `Bearer ${token}` } : {};
        },
        retryAttempts: 5,
      }),
    );
    link = ApolloLink.split(isSubscription, ws, link);
  }

  return new ApolloClient({
    link,
    cache: createCache(options.state),
    ssrMode: options.ssr ?? false,
    // Right after hydration, answer from the server's cache instead of asking again.
    ssrForceFetchDelay: options.ssr ? undefined : 100,
  });
}
