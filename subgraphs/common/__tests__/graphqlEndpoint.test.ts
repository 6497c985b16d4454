import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { ApolloServer } from "@apollo/server";
import { compileTrust } from "../auth/trustProxy";
import { createLogger } from "../logger";
import { ServiceMetrics } from "../metrics";
import { dispatch, pathOf } from "../server/dispatch";
import { errorAnswer, ErrorCode, type PreHandler } from "../server/exchange";
import { graphqlEndpoint } from "../server/graphqlEndpoint";
import { jsonBody } from "../server/jsonBody";

describe("dispatching a request", () => {
  const seen: string[] = [];
  const handler = dispatch(
    (req, _res, path) => seen.push(`graphql ${path}`),
    (req) => seen.push(`express ${req.url}`),
  );
  const send = (url: string) => handler({ url } as http.IncomingMessage, {} as http.ServerResponse);

  beforeEach(() => (seen.length = 0));

  it("sends /graphql (any case, a trailing slash, a query string) to the GraphQL endpoint", () => {
    send("/graphql");
    send("/graphql?query=%7B__typename%7D");
    send("/graphql/");
    send("/GraphQL");
    expect(seen).toEqual(["graphql /graphql", "graphql /graphql", "graphql /graphql/", "graphql /GraphQL"]);
  });

  it("sends everything else to Express, /graphql/<anything> included", () => {
    for (const url of ["/graphql/x", "/graphqlx", "/health/live", "/metrics?x=1", "/"]) send(url);
    expect(seen).toEqual([
      "express /graphql/x",
      "express /graphqlx",
      "express /health/live",
      "express /metrics?x=1",
      "express /",
    ]);
  });

  it("reads a path without its query string", () => {
    expect(pathOf("/a/b?c=d?e")).toBe("/a/b");
    expect(pathOf(undefined)).toBe("/");
  });
});

describe("the GraphQL endpoint's pre-handlers", () => {
  let server: http.Server;
  let apollo: ApolloServer<{ who: string }>;
  let url: string;
  const metrics = new ServiceMetrics("endpoint-test");
  const order: string[] = [];
  const refuseHeader: PreHandler = (exchange) =>
    exchange.header("x-refuse") ? errorAnswer(403, ErrorCode.FORBIDDEN, "Refused.") : undefined;
  const note: PreHandler = async (exchange) => {
    order.push(`body ${JSON.stringify(exchange.body)}`);
    return undefined;
  };

  beforeAll(async () => {
    apollo = new ApolloServer<{ who: string }>({
      typeDefs: "type Query { who: String, hello: String }",
      resolvers: {
        Query: { who: (_p: unknown, _a: unknown, context: { who: string }) => context.who, hello: () => "hi" },
      },
    });
    await apollo.start();
    const graphql = graphqlEndpoint<{ who: string }>({
      service: "endpoint-test",
      apollo,
      logger: createLogger("endpoint-test", { level: "silent" }),
      metrics,
      trust: compileTrust("false"),
      preHandlers: [refuseHeader, jsonBody(256), note],
      context: (exchange, scope) => ({ who: `${scope.requestId} ${exchange.clientAddress}` }),
    });
    metrics.labelRoutes(["/graphql"]);
    server = http.createServer(dispatch(graphql, (_req, res) => res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    server.close();
    await apollo.stop();
  });

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  it("runs them in order, then Apollo Server with the request's context", async () => {
    order.length = 0;
    const response = await post(JSON.stringify({ query: "{ who }" }), { "x-request-id": "req-1" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("req-1");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({ data: { who: "req-1 127.0.0.1" } });
    expect(order).toEqual(['body {"query":"{ who }"}']);
  });

  it("stops at the first that answers", async () => {
    order.length = 0;
    const response = await post(JSON.stringify({ query: "{ who }" }), { "x-refuse": "1" });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ errors: [{ message: "Refused.", extensions: { code: "FORBIDDEN" } }] });
    expect(order).toEqual([]);
  });

  it("answers a body over the limit 413 and one that is not JSON 400, and keeps the connection usable", async () => {
    const large = await post(JSON.stringify({ query: `{ hello } # ${"x".repeat(1000)}` }));
    expect(large.status).toBe(413);
    expect(await large.json()).toEqual({
      errors: [{ message: "The request is too large (at most 256 bytes).", extensions: { code: "BAD_REQUEST" } }],
    });
    const malformed = await post("{ not json");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      errors: [{ message: "The request body is not valid JSON.", extensions: { code: "BAD_REQUEST" } }],
    });
    expect((await post('"a string"')).status).toBe(400);
    expect(await (await post(JSON.stringify({ query: "{ hello }" }))).json()).toEqual({ data: { hello: "hi" } });
  });

  it("reads a compressed body, and leaves one that is not JSON to Apollo Server", async () => {
    const zipped = await post(gzipSync(JSON.stringify({ query: "{ hello }" })), { "content-encoding": "gzip" });
    expect(await zipped.json()).toEqual({ data: { hello: "hi" } });
    const text = await post(JSON.stringify({ query: "{ hello }" }), { "content-type": "application/xml" });
    expect(text.status).toBe(400);
    expect(await text.text()).toMatch(/POST body missing, invalid Content-Type, or JSON object has no keys/);
    const charset = await post("{}", { "content-type": "application/json; charset=latin1" });
    expect(charset.status).toBe(415);
  });

  it("serves GET queries and counts every request under its route", async () => {
    const response = await fetch(`${url}?query=${encodeURIComponent("{ hello }")}`, {
      headers: { "apollo-require-preflight": "1" },
    });
    expect(await response.json()).toEqual({ data: { hello: "hi" } });
    const { values } = await metrics.httpDuration.get();
    const routes = values.filter((sample) => sample.metricName === "http_request_duration_seconds_count");
    expect(routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { method: "GET", route: "/graphql", status: "200" } }),
        expect.objectContaining({ labels: { method: "POST", route: "/graphql", status: "413" } }),
      ]),
    );
  });
});
