import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
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

/**
 * Sends the gateway's subgraph requests with the caller's identity, so each subgraph authorizes
 * the caller itself (zero trust), and with the request id and trace context.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<RouterContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = request.http?.headers;
    if (!headers || !context || !("forwardedHeaders" in context)) return;
    for (const [name, value] of Object.entries(context.forwardedHeaders as Record<string, string>))
      headers.set(name, value);
    // The router's own span (when tracing) is the subgraph request's parent.
    const traceparent = traceparentOf();
    if (traceparent) headers.set("traceparent", traceparent);
  }
}
