import { createHmac, timingSafeEqual } from "node:crypto";
import { ErrorCode } from "../errors";
import { errorAnswer, type PreHandler } from "../server/exchange";

/**
 * The router's credential on every request it sends a subgraph: an HMAC-SHA256 of the request
 * body, keyed with a secret the router and the subgraphs share (ROUTER_SIGNING_SECRET), over a
 * timestamp that bounds replay. A subgraph answers GraphQL only to requests that carry it, so a
 * client that reaches a subgraph directly gets 401 however it writes its headers. Services that
 * ask another subgraph directly (read-your-writes lookups) sign the same way.
 *
 * Header: `x-router-signature: t=<unix seconds>,v1=<hex HMAC of "<t>.<body>">`.
 */
export const routerSignatureHeader = "x-router-signature";

/**
 * The secret every process uses unless ROUTER_SIGNING_SECRET says otherwise: fine on a laptop,
 * refused in production (see server/productionSafety).
 */
export const developmentRouterSigningSecret = "development-only-router-signing-secret-not-for-production";

function hmac(secret: string, timestamp: number, body: string | Buffer): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
}

/** The header value for `body`, signed now (or at `nowMs`). */
export function signRouterRequest(secret: string, body: string | Buffer, nowMs = Date.now()): string {
  const timestamp = Math.floor(nowMs / 1000);
  return `t=${timestamp},v1=${hmac(secret, timestamp, body).toString("hex")}`;
}

export interface RouterCredentialSettings {
  /** The secret requests are signed with; ROUTER_SIGNING_SECRET. */
  secret: string;
  /** Also accepted while a new secret rolls out; ROUTER_SIGNING_SECRET_PREVIOUS. */
  previousSecret?: string;
  /** How far a signature's time may be from now, either way (replay window and clock skew). */
  maxAgeSeconds: number;
}

/** Why a signature was refused, for the log (the client is told only that it is not the router). */
export type SignatureProblem = "missing" | "malformed" | "expired" | "mismatch";

/** Checks a signature header against the body; null when it is valid. */
export function routerSignatureProblem(
  settings: RouterCredentialSettings,
  header: string | undefined,
  body: string | Buffer,
  nowMs = Date.now(),
): SignatureProblem | null {
  if (!header) return "missing";
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim());
  if (!match) return "malformed";
  const timestamp = Number(match[1]);
  if (Math.abs(nowMs / 1000 - timestamp) > settings.maxAgeSeconds) return "expired";
  const given = Buffer.from(match[2]!, "hex");
  const secrets = [settings.secret, settings.previousSecret].filter((each): each is string => !!each);
  return secrets.some((secret) => timingSafeEqual(hmac(secret, timestamp, body), given)) ? null : "mismatch";
}

/**
 * The pre-handler in front of a subgraph's `/graphql`, after the body is read: GraphQL only over
 * POST and only with a valid router signature of the body, byte for byte; anything else is 401.
 */
export function requireRouterCredential(
  settings: RouterCredentialSettings,
  onRefused?: (problem: string) => void,
): PreHandler {
  return (exchange) => {
    const problem =
      exchange.method === "POST"
        ? routerSignatureProblem(settings, exchange.header(routerSignatureHeader), exchange.rawBody ?? Buffer.alloc(0))
        : "not a POST";
    if (!problem) return undefined;
    onRefused?.(problem);
    return errorAnswer(
      401,
      ErrorCode.UNAUTHENTICATED,
      "This service answers only the router: the request carries no valid router credential.",
    );
  };
}
