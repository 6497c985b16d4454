import type { PreHandler } from "../subgraphs/common/server/exchange";

/** Methods a preflight allows (the cors package's default). */
const allowedMethods = "GET,HEAD,PUT,PATCH,POST,DELETE";

/** CORS_ORIGINS (`*`, or origins separated by commas): whether a request's origin may read answers. */
function originCheck(setting: string): (origin: string | undefined) => boolean {
  const origins = setting
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.includes("*")) return () => true;
  const allowed = new Set(origins);
  return (origin) => origin !== undefined && allowed.has(origin);
}

/**
 * Lets browsers call the API from CORS_ORIGINS, as the cors package did: the allowed origin is
 * echoed (and `Vary: Origin` said) on every answer; a preflight (OPTIONS) is answered here, 204,
 * with the request's headers allowed and cached for ten minutes.
 */
export function allowOrigins(setting: string): PreHandler {
  const allowed = originCheck(setting);
  return (exchange) => {
    const origin = exchange.header("origin");
    const { res } = exchange;
    if (origin && allowed(origin)) res.setHeader("access-control-allow-origin", origin);
    if (exchange.method !== "OPTIONS") {
      res.setHeader("vary", "Origin");
      return undefined;
    }
    res.setHeader("access-control-allow-methods", allowedMethods);
    res.setHeader("vary", "Origin, Access-Control-Request-Headers");
    const requested = exchange.header("access-control-request-headers");
    if (requested) res.setHeader("access-control-allow-headers", requested);
    res.setHeader("access-control-max-age", "600");
    return { status: 204, body: "", contentType: null };
  };
}
