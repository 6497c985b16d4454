import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { AnchorHTMLAttributes, MouseEvent } from "react";
import { matchRoute, type RouteMatch } from "./routes";

interface RouterValue {
  url: string;
  match: RouteMatch;
  navigate(to: string, options?: { replace?: boolean }): void;
}

const RouterContext = createContext<RouterValue | null>(null);

/**
 * History-API navigation for the browser, a fixed URL on the server. Pages read the match with
 * `useRoute`; links go through `Link`, which leaves modified clicks (new tab) to the browser.
 */
export function RouterProvider({ initialUrl, children }: { initialUrl: string; children: ReactNode }) {
  const [url, setUrl] = useState(initialUrl);
  useEffect(() => {
    const onPop = () => setUrl(window.location.pathname + window.location.search);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = useCallback((to: string, options: { replace?: boolean } = {}) => {
    if (options.replace) window.history.replaceState(null, "", to);
    else window.history.pushState(null, "", to);
    setUrl(to);
    if (!to.includes("#")) window.scrollTo(0, 0);
  }, []);
  const value = useMemo(() => ({ url, match: matchRoute(url), navigate }), [url, navigate]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (!value) throw new Error("useRouter outside RouterProvider");
  return value;
}

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { navigate } = useRouter();
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
