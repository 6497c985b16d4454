import type { ApolloClient } from "@apollo/client";
import { hasCode } from "./lib/errors";
import { readSearch, searchVariables } from "./lib/searchParams";
import { HomeQuery, ProductQuery, SearchQuery } from "./operations/catalog";
import type { RouteMatch } from "./routing/routes";

export interface Loaded {
  status: number;
  title: string;
}

/**
 * What the server fetches before rendering a catalog page (home, search, product), with the
 * same documents and variables the page's `useQuery` uses, so the render and the browser's
 * hydration read them from the cache. Pages of a signed-in shopper render in the browser only.
 */
export async function loadRoute(client: ApolloClient, match: RouteMatch): Promise<Loaded> {
  const shop = "Supergraph Shop";
  switch (match.name) {
    case "home":
      await client.query({ query: HomeQuery }).catch(() => null);
      return { status: 200, title: shop };
    case "search": {
      const state = readSearch(match.query);
      await client.query({ query: SearchQuery, variables: searchVariables(state) }).catch(() => null);
      return { status: 200, title: state.q ? `“${state.q}” – ${shop}` : `All products – ${shop}` };
    }
    case "product": {
      const result = await client
        .query({ query: ProductQuery, variables: { slug: match.params.slug ?? "" }, errorPolicy: "all" })
        .catch((error: unknown) => ({ data: undefined, error }));
      if (hasCode(result.error, "NOT_FOUND") || (result.data && !result.data.product))
        return { status: 404, title: `Not found – ${shop}` };
      return { status: 200, title: result.data?.product ? `${result.data.product.name} – ${shop}` : shop };
    }
    case "notFound":
      return { status: 404, title: `Not found – ${shop}` };
    default:
      return { status: 200, title: shop };
  }
}
