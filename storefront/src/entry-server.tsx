import { renderToString } from "react-dom/server";
import { createApolloClient } from "./apollo/createClient";
import { loadRoute } from "./loaders";
import { Root } from "./Root";
import { matchRoute } from "./routing/routes";

export interface Rendered {
  status: number;
  title: string;
  html: string;
  /** The Apollo cache the page rendered with, for the browser to hydrate from. */
  state: unknown;
}

/** Renders one page for a URL: catalog data fetched from the router first, anonymously. */
export async function render(url: string, routerUrl: string): Promise<Rendered> {
  const client = createApolloClient({ routerUrl, ssr: true });
  const loaded = await loadRoute(client, matchRoute(url));
  const html = renderToString(<Root client={client} session={null} url={url} />);
  const state = client.extract();
  client.stop();
  return { ...loaded, html, state };
}
