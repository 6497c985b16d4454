import http from "node:http";
import https from "node:https";
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
  /** Connections kept open to the subgraph at most (requests beyond wait for one). */
  maxSockets?: number;
}

/** The subgraph could not be reached or did not answer in time; its message is safe for clients. */
export class SubgraphUnavailableError extends Error {
  readonly extensions = { code: ErrorCode.SERVICE_UNAVAILABLE };
  constructor(serviceName: string) {
    super(`The ${serviceName} service is unavailable right now; the fields it provides are missing.`);
    this.name = "SubgraphUnavailableError";
  }
}

/** The opening of every body the gateway sends: it writes `query` first (RemoteGraphQLDataSource). */
const queryOpening = '{"query":"';

/**
 * Whether a subgraph request is a mutation, from the start of its body without parsing it: the
 * gateway's operation text opens the JSON, and a mutation's starts with `mutation` (after
 * whitespace, JSON-escaped). A body of another shape counts as a mutation: it is never retried.
 */
export function isMutation(body: unknown): boolean {
  if (typeof body !== "string" || !body.startsWith(queryOpening)) return true;
  return /^(?:\s|\\[nrt])*mutation\b/.test(body.slice(queryOpening.length, queryOpening.length + 64));
}

const retryable = (status: number) => status === 502 || status === 503 || status === 504;

/** The part of a fetch Response the gateway reads: status, headers, and the body as JSON or text. */
class SubgraphResponse {
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };

  constructor(
    readonly url: string,
    readonly status: number,
    headers: http.IncomingHttpHeaders,
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
    this.statusText = http.STATUS_CODES[status] ?? "";
    this.headers = {
      get: (name) => {
        const value = headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    };
  }

  async text(): Promise<string> {
    return this.body.toString("utf8");
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body.toString("utf8"));
  }
}

/** A connection failure where the request certainly never reached the subgraph, so sending it again is safe. */
class StaleConnectionError extends Error {}

/**
 * One POST over a kept-alive connection, answered within `timeoutMs`. A reused connection the
 * subgraph closed meanwhile (its keep-alive timeout) fails before the request reaches it:
 * that is told apart, so even a mutation may be sent again.
 */
function post(
  agent: http.Agent,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<SubgraphResponse> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === "https:" ? https : http).request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          clearTimeout(timer);
          resolve(new SubgraphResponse(url.href, response.statusCode ?? 0, response.headers, Buffer.concat(chunks)));
        });
        response.on("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(request.reusedSocket && error.code === "ECONNRESET" ? new StaleConnectionError(error.message) : error);
    });
    request.end(body);
  });
}

/**
 * What the gateway fetches subgraphs with: `http.request` over kept-alive connections (cheaper
 * per call than the global fetch), the router credential on every request (subgraphs answer
 * nothing else), a time limit per request, and a few quick retries for queries that fail on the
 * way (connection refused or reset, timeout, a 502/503/504). A subgraph that stays down costs
 * only the fields it owns: the gateway returns the rest.
 */
export function subgraphFetcher(settings: SubgraphFetchSettings): Fetcher {
  // Idle connections are kept a while (opening one costs a DNS look-up and a connect on both
  // sides), and closed before the subgraph's own keep-alive timeout (65 s) would.
  const agentOptions = {
    keepAlive: true,
    timeout: 55_000,
    maxSockets: settings.maxSockets ?? 64,
    scheduling: "lifo",
  } as const;
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  return (async (url: string, init: RequestInit = {}) => {
    const attempts = 1 + (isMutation(init.body) ? 0 : settings.retries);
    const body = typeof init.body === "string" ? init.body : "";
    const target = new URL(url);
    const agent = target.protocol === "https:" ? agents.https : agents.http;
    let staleRetried = false;
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Signed at each attempt: the signature's time bounds how long it can be replayed.
        const headers = {
          ...(init.headers as Record<string, string> | undefined),
          [routerSignatureHeader]: signRouterRequest(settings.signingSecret, body),
        };
        const response = await post(agent, target, headers, body, settings.timeoutMs);
        if (attempt < attempts && retryable(response.status)) continue;
        return response;
      } catch (error) {
        if (error instanceof StaleConnectionError && !staleRetried) {
          staleRetried = true;
          attempt -= 1;
          continue;
        }
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
