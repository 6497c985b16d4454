import type { RemoteGraphQLDataSource } from "@apollo/gateway";
import { routerSignatureHeader, signRouterRequest } from "../subgraphs/common/auth/routerCredential";
import { ErrorCode } from "../subgraphs/common/errors";
import type { Logger } from "../subgraphs/common/logger";

type Fetcher = RemoteGraphQLDataSource["fetcher"];

export interface SubgraphFetchSettings {
  serviceName: string;
  timeoutMs: number;
  /** Extra tries of a query that failed on the way (never of a mutation: it may have happened). */
  retries: number;
  logger: Logger;
  /** ROUTER_SIGNING_SECRET: every request is signed with it, the credential subgraphs ask for. */
  signingSecret: string;
}

/** The subgraph could not be reached or did not answer in time; its message is safe for clients. */
export class SubgraphUnavailableError extends Error {
  readonly extensions = { code: ErrorCode.SERVICE_UNAVAILABLE };
  constructor(serviceName: string) {
    super(`The ${serviceName} service is unavailable right now; the fields it provides are missing.`);
    this.name = "SubgraphUnavailableError";
  }
}

function isMutation(body: unknown): boolean {
  if (typeof body !== "string") return true;
  try {
    return /^\s*mutation\b/.test((JSON.parse(body) as { query?: string }).query ?? "");
  } catch {
    return true;
  }
}

const retryable = (status: number) => status === 502 || status === 503 || status === 504;

/**
 * What the gateway fetches subgraphs with: the router credential on every request (subgraphs
 * answer nothing else), a time limit per request, and a few quick retries for
 * queries that fail on the way (connection refused or reset, timeout, a 502/503/504). A
 * subgraph that stays down costs only the fields it owns: the gateway returns the rest.
 */
export function subgraphFetcher(settings: SubgraphFetchSettings): Fetcher {
  return (async (url: string, init: RequestInit = {}) => {
    const attempts = 1 + (isMutation(init.body) ? 0 : settings.retries);
    const body = typeof init.body === "string" ? init.body : "";
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Signed at each attempt: the signature's time bounds how long it can be replayed.
        const headers = {
          ...(init.headers as Record<string, string> | undefined),
          [routerSignatureHeader]: signRouterRequest(settings.signingSecret, body),
        };
        const response = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(settings.timeoutMs) });
        if (attempt < attempts && retryable(response.status)) continue;
        return response;
      } catch (error) {
        if (attempt >= attempts) {
          settings.logger.warn(
            { subgraph: settings.serviceName, attempts, err: (error as Error).message },
            "subgraph unavailable",
          );
          throw new SubgraphUnavailableError(settings.serviceName);
        }
        await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
      }
    }
  }) as unknown as Fetcher;
}
