import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { RouterContext } from "./context";

/**
 * Sends the gateway's subgraph requests with the caller's identity and the request id, so each
 * subgraph authorizes the caller itself (zero trust) and logs line up across services.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<RouterContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = request.http?.headers;
    if (!headers || !context) return;
    if ("requestId" in context && context.requestId) headers.set("x-request-id", context.requestId);
    if ("authorization" in context && context.authorization) headers.set("authorization", context.authorization);
  }
}
