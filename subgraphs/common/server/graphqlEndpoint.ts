import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLRequest } from "@apollo/server";
import type { TrustCheck } from "../auth/trustProxy";
import type { Logger } from "../logger";
import type { ServiceMetrics } from "../metrics";
import { traceIdOf, traceRequest } from "../observability/tracing";
import { ErrorCode, errorAnswer, GraphQLExchange, sendAnswer, type Answer, type PreHandler } from "./exchange";
import type { RequestScope } from "./graphqlHttpServer";
import { requestIdOf } from "./http";
import { logRequest } from "./requestLog";

export interface GraphQLEndpointOptions<Context extends BaseContext> {
  /** The process's name, in spans. */
  service: string;
  apollo: ApolloServer<Context>;
  logger: Logger;
  metrics: ServiceMetrics;
  /** TRUST_PROXY: which proxies' X-Forwarded-For to believe for the client's address. */
  trust: TrustCheck;
  /** In order, in front of Apollo Server (authentication, limits, the body). */
  preHandlers: readonly PreHandler[];
  /** The request's context, from its scope. */
  context(exchange: GraphQLExchange, scope: RequestScope): Context | Promise<Context>;
}

function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  return headers;
}

/** A media type written as Express's `res.send` writes it: with the charset. */
function withCharset(type: string): string {
  return /;\s*charset=/i.test(type) ? type : `${type}; charset=utf-8`;
}

/**
 * `/graphql` served by Node's HTTP server itself: the request's id, trace, log line and metrics,
 * the pre-handlers in order (the first to answer ends the request), then Apollo Server.
 */
export function graphqlEndpoint<Context extends BaseContext>(
  options: GraphQLEndpointOptions<Context>,
): (req: IncomingMessage, res: ServerResponse, path: string) => void {
  const { apollo, logger, metrics, preHandlers } = options;

  async function execute(exchange: GraphQLExchange, traceId: string | undefined): Promise<void> {
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: exchange.method.toUpperCase(),
      headers: headerMapOf(exchange.req),
      search: exchange.search,
      body: exchange.body,
    };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () => {
        const { requestId, caller } = exchange;
        const child = logger.child({ requestId, ...(traceId ? { traceId } : {}) });
        return options.context(exchange, { requestId, logger: child, caller });
      },
    });
    const { res } = exchange;
    for (const [name, value] of response.headers)
      res.setHeader(name, name === "content-type" ? withCharset(value) : value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      res.setHeader("content-length", Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function serve(exchange: GraphQLExchange, traceId: string | undefined): Promise<void> {
    try {
      let answer: Answer | undefined;
      for (const preHandler of preHandlers) {
        const result = preHandler(exchange);
        answer = result instanceof Promise ? await result : result;
        if (answer) break;
      }
      if (answer) sendAnswer(exchange.res, answer);
      else await execute(exchange, traceId);
    } catch (error) {
      logger.error({ err: error, requestId: exchange.requestId }, "could not answer a GraphQL request");
      if (!exchange.res.headersSent)
        sendAnswer(exchange.res, errorAnswer(500, ErrorCode.INTERNAL_SERVER_ERROR, "Unexpected error."));
      else exchange.res.destroy();
    }
  }

  return (req, res, path) => {
    const started = process.hrtime.bigint();
    const method = req.method ?? "GET";
    const requestId = requestIdOf(req.headers);
    res.setHeader("x-request-id", requestId);
    const trace = traceRequest(options.service, method, path, req.headers);
    const exchange = new GraphQLExchange(req, res, requestId, trace.traceparent, options.trust);
    let traceId: string | undefined;
    res.once("finish", () => {
      const status = res.statusCode;
      trace.end(status);
      metrics.observeRequest(method, path, status, started);
      logRequest(logger, { requestId, traceId, method, path, status, started });
    });
    void trace.run(() => {
      traceId = traceIdOf(trace.traceparent);
      return serve(exchange, traceId);
    });
  };
}
