import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { parseCacheControlHeader } from "@apollo/gateway/dist/datasources/parseCacheControlHeader";
import { GraphQLDataSourceRequestKind } from "@apollo/gateway/dist/datasources/types";
import { traceparentOf } from "../subgraphs/common/observability/tracing";
import type { GraphQLExchange } from "../subgraphs/common/server/exchange";
import type { RouterContext } from "./context";

/** Request headers every subgraph request carries along: identity, request id and trace context. */
const passedOn = ["authorization", "traceparent", "tracestate"] as const;

/** The headers of an incoming request that subgraph requests carry, plus the request id and client address. */
export function headersToForward(exchange: GraphQLExchange, requestId: string): Record<string, string> {
  const headers: Record<string, string> = { "x-request-id": requestId };
  for (const name of passedOn) {
    const value = exchange.header(name);
    if (value) headers[name] = value;
  }
  // Without an async context the trace rides on the request (the caller's, or a new one).
  if (exchange.traceparent) headers.traceparent = exchange.traceparent;
  // The client's address as this router determined it (the right-most hop no trusted proxy
  // wrote, TRUST_PROXY), and nothing else: a client-written X-Forwarded-For is never passed on,
  // so subgraphs limit per client, and a client cannot pick its address by writing the header.
  const { clientAddress } = exchange;
  if (clientAddress) headers["x-forwarded-for"] = clientAddress;
  return headers;
}

type ProcessOptions = GraphQLDataSourceProcessOptions<RouterContext>;

/** The headers of a subgraph request: the caller's forwarded ones, and the router's span (when tracing) as parent. */
function subgraphHeaders(forwarded: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { ...forwarded, "content-type": "application/json" };
  const traceparent = traceparentOf();
  if (traceparent) headers.traceparent = traceparent;
  return headers;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Sends the gateway's subgraph requests with the caller's identity, so each subgraph authorizes
 * the caller itself (zero trust), and with the request id and trace context.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<RouterContext> {
  /**
   * A request of the caller's operation, as RemoteGraphQLDataSource sends it (the same body,
   * errors and cache policy) with plain header objects: none of the fetch `Headers` and `Request`
   * objects it builds for each request (node-fetch's, which validate every header again), since
   * the fetcher is ours. Anything else (health checks, a request with headers of the gateway's
   * own, such as a trace asked of the subgraph) goes the general way.
   */
  override async process(options: ProcessOptions): ReturnType<RemoteGraphQLDataSource["process"]> {
    const { request, context } = options;
    if (
      options.kind !== GraphQLDataSourceRequestKind.INCOMING_OPERATION ||
      request.http ||
      this.apq ||
      !context ||
      !("forwardedHeaders" in context)
    )
      return super.process(options);
    if (!request.query) throw new Error("Missing query");
    const { http: _http, query, ...rest } = request;
    const response = await this.fetcher(this.url, {
      method: "POST",
      headers: subgraphHeaders(context.forwardedHeaders),
      body: JSON.stringify({ query, ...rest }),
    });
    if (!response.ok) throw await this.errorFromResponse(response);
    const body = await this.parseBody(response);
    if (!isObject(body)) throw new Error(`Expected JSON response body, but received: ${String(body)}`);
    const policy = options.incomingRequestContext.overallCachePolicy as
      { restrict?(hint: { maxAge: number; scope?: "PRIVATE" | "PUBLIC" }): void } | undefined;
    if (this.honorSubgraphCacheControlHeader && policy?.restrict) {
      // As RemoteGraphQLDataSource: the subgraph's Cache-Control restricts the operation's policy.
      const parsed = parseCacheControlHeader(response.headers.get("cache-control") ?? undefined);
      const maxAge = parsed["max-age"];
      policy.restrict({
        maxAge: typeof maxAge === "string" && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : 0,
        ...(parsed.private === true ? { scope: "PRIVATE" as const } : {}),
        ...(parsed.public === true ? { scope: "PUBLIC" as const } : {}),
      });
    }
    return { ...body, http: response };
  }

  override willSendRequest({ request, context }: ProcessOptions): void {
    const headers = request.http?.headers;
    if (!headers || !context || !("forwardedHeaders" in context)) return;
    for (const [name, value] of Object.entries(subgraphHeaders(context.forwardedHeaders as Record<string, string>)))
      headers.set(name, value);
  }
}
