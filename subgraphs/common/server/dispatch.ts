import type { IncomingMessage, ServerResponse } from "node:http";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** `/graphql` (a trailing slash allowed, any case, as Express routes it); /graphql/<anything> is not. */
const graphqlPath = /^\/graphql\/?$/i;

/** The path of a request's URL, without its query string. */
export function pathOf(url: string | undefined = "/"): string {
  const question = url.indexOf("?");
  return question === -1 ? url : url.slice(0, question);
}

/** The query string of a request's URL with its `?`, or "". */
export function searchOf(url: string | undefined = ""): string {
  const question = url.indexOf("?");
  return question === -1 ? "" : url.slice(question);
}

/**
 * The HTTP server's request handler: `/graphql`, every method, goes to the GraphQL endpoint
 * (plain Node, the hot path); anything else to Express (health, metrics, webhooks, 404s).
 */
export function dispatch(
  graphql: (req: IncomingMessage, res: ServerResponse, path: string) => void,
  app: Handler,
): Handler {
  return (req, res) => {
    const path = pathOf(req.url);
    if (graphqlPath.test(path)) graphql(req, res, path);
    else app(req, res);
  };
}
