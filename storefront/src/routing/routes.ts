/**
 * The storefront's pages by path. A small matcher of our own instead of a routing library: the
 * pages are few, and the client bundle stays smaller (see docs/benchmark.md).
 */
export type RouteName =
  "home" | "search" | "product" | "cart" | "checkout" | "order" | "signIn" | "register" | "myOrders" | "addresses";

interface RouteDefinition {
  name: RouteName;
  pattern: RegExp;
  params: readonly string[];
}

const route = (name: RouteName, path: string): RouteDefinition => {
  const params: string[] = [];
  const source = path.replace(/:([a-zA-Z]+)/g, (_, param: string) => {
    params.push(param);
    return "([^/]+)";
  });
  return { name, pattern: new RegExp(`^${source}/?$`), params };
};

const routes: readonly RouteDefinition[] = [
  route("home", "/"),
  route("search", "/search"),
  route("product", "/products/:slug"),
  route("cart", "/cart"),
  route("checkout", "/checkout"),
  route("order", "/orders/:id"),
  route("signIn", "/sign-in"),
  route("register", "/register"),
  route("myOrders", "/account/orders"),
  route("addresses", "/account/addresses"),
];

export interface RouteMatch {
  name: RouteName | "notFound";
  params: Record<string, string>;
  query: URLSearchParams;
}

/** The page for a path and query string (`/products/tee?x=1`). */
export function matchRoute(url: string): RouteMatch {
  const parsed = new URL(url, "http://storefront.invalid");
  for (const definition of routes) {
    const found = definition.pattern.exec(parsed.pathname);
    if (!found) continue;
    const params = Object.fromEntries(
      definition.params.map((param, index) => [param, decodeURIComponent(found[index + 1] ?? "")]),
    );
    return { name: definition.name, params, query: parsed.searchParams };
  }
  return { name: "notFound", params: {}, query: parsed.searchParams };
}
