import { createHash } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import {
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import type { Counter } from "prom-client";
import type { Caller } from "../../subgraphs/common/auth/caller";
import { isStaff } from "../../subgraphs/common/auth/permissions";
import { jsonContentType, type GraphQLExchange, type PreHandler } from "../../subgraphs/common/server/exchange";

/**
 * Root fields whose answer is the same for every anonymous visitor: the public catalog. An
 * operation is cached only when it selects nothing else at its root.
 */
export const publicRootFields: ReadonlySet<string> = new Set([
  "products",
  "product",
  "productVariant",
  "categories",
  "category",
  "searchSuggestions",
  "__typename",
]);

/**
 * Under the catalog, the fields whose value may depend on which customer asks, by type: of a
 * user (a review's author), only the id and the name are the same for everyone. Everything else
 * the catalog reaches is either the same for every customer as for an anonymous visitor, or
 * refused to both (back-office fields: an answer with errors is never kept).
 */
const sameForEveryCustomer: Readonly<Record<string, ReadonlySet<string>>> = {
  User: new Set(["id", "name", "__typename"]),
};

/** Whether a customer's answer to this operation is the anonymous answer: it selects nothing personal. */
export function isSameForEveryCustomer(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let personal = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const allowed = sameForEveryCustomer[typeInfo.getParentType()?.name ?? ""];
        if (allowed && !allowed.has(node.name.value)) personal = true;
      },
    }),
  );
  return !personal;
}

export interface PublicResponseCacheOptions {
  /** How long an answer is served again; 0 turns the cache off. */
  ttlSeconds: number;
  /** Most answers kept; the least recently stored go first. */
  maxEntries: number;
  /** Told of every hit, miss and store (metrics). */
  counter?: Counter<"result">;
}

interface Entry {
  body: string;
  expiresAt: number;
  /** Whether signed-in customers may be served it too (it selects nothing personal). */
  forCustomers: boolean;
}

interface GraphQLRequestBody {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** One key for one document (by its SHA-256, as automatic persisted queries name it), operation and variables. */
function cacheKey(queryHash: string, operationName: unknown, variables: unknown): string {
  return `${queryHash}\u0000${typeof operationName === "string" ? operationName : ""}\u0000${JSON.stringify(variables ?? {})}`;
}

function keyOfBody(body: GraphQLRequestBody): string | undefined {
  const queryHash = typeof body.query === "string" ? sha256(body.query) : body.extensions?.persistedQuery?.sha256Hash;
  return typeof queryHash === "string" ? cacheKey(queryHash, body.operationName, body.variables) : undefined;
}

/** A parameter of a GET request given once, as Apollo Server reads it (a repeated one it refuses). */
function searchParam(url: URL, name: string): string | undefined {
  const values = url.searchParams.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

/**
 * The request as Apollo Server reads it: a POST's JSON body, or a GET's `query`, `operationName`
 * and JSON-encoded `variables` and `extensions` parameters. Undefined when it is neither, or a
 * parameter is not valid JSON (Apollo Server answers those).
 */
function requestOf(exchange: GraphQLExchange): GraphQLRequestBody | undefined {
  if (exchange.method === "POST") return (exchange.body ?? {}) as GraphQLRequestBody;
  // A browser asking for a page gets Sandbox from Apollo Server, not a cached answer (so does
  // any GET that accepts HTML at all: it is passed on, never served something else).
  if (exchange.method !== "GET" || /text\/html/i.test(exchange.header("accept") ?? "")) return undefined;
  const url = new URL(exchange.req.url ?? "/", "http://router");
  try {
    const json = (name: string) => {
      const value = searchParam(url, name);
      return value === undefined ? undefined : JSON.parse(value);
    };
    return {
      query: searchParam(url, "query"),
      operationName: searchParam(url, "operationName"),
      variables: json("variables"),
      extensions: json("extensions"),
    };
  } catch {
    return undefined;
  }
}

function isPublicQuery(operation: OperationDefinitionNode | undefined): boolean {
  if (operation?.operation !== "query") return false;
  return operation.selectionSet.selections.every(
    (selection) => selection.kind === Kind.FIELD && publicRootFields.has(selection.name.value),
  );
}

function cacheDirectives(exchange: GraphQLExchange): string {
  return (exchange.header("cache-control") ?? "").toLowerCase();
}

/**
 * Answers of catalog queries, kept for a few seconds in this process: a storefront's busiest
 * pages are the same for every visitor, and serving one again skips the gateway, the subgraphs
 * and their databases. An answer is the same for a signed-in customer as for an anonymous
 * visitor unless it selects something personal (a user's fields beyond id and name), so such
 * answers are shared between both; an admin sees more (archived products) and is never served
 * nor kept. Answers with errors, and of operations that select anything outside the public
 * catalog, are never kept. A request that says `Cache-Control: no-cache` is answered fresh;
 * `no-store` is neither served nor kept. Callers are identified (tokens verified) before this.
 */
export class PublicResponseCache {
  private readonly entries = new Map<string, Entry>();
  /**
   * `isSameForEveryCustomer` per parsed document: Apollo Server keeps one document per query
   * text, so an operation is walked once, not at every answer kept.
   */
  private readonly sameForCustomers = new WeakMap<DocumentNode, boolean>();

  constructor(
    private readonly options: PublicResponseCacheOptions,
    /** The API schema, to tell what an operation selects. */
    private readonly schema: GraphQLSchema,
  ) {}

  get enabled(): boolean {
    return this.options.ttlSeconds > 0;
  }

  /**
   * The pre-handler after the caller is identified and the body read, before the GraphQL
   * server: serves hits, to POST and GET queries alike.
   */
  preHandler(): PreHandler {
    return (exchange) => {
      const { caller } = exchange;
      if (
        !this.enabled ||
        isStaff(caller) ||
        (exchange.header("authorization") && !caller) ||
        /no-cache|no-store/.test(cacheDirectives(exchange))
      )
        return undefined;
      const request = requestOf(exchange);
      // Nothing to serve to a request without a query (such as a browser asking for Sandbox).
      if (!request || (request.query === undefined && request.extensions?.persistedQuery === undefined))
        return undefined;
      const key = keyOfBody(request);
      const entry = key ? this.entries.get(key) : undefined;
      if (!entry || entry.expiresAt <= Date.now() || (caller && !entry.forCustomers)) {
        this.options.counter?.inc({ result: "miss" });
        return undefined;
      }
      this.options.counter?.inc({ result: "hit" });
      return { status: 200, body: entry.body, contentType: jsonContentType, headers: { "x-response-cache": "hit" } };
    };
  }

  /** The plugin that keeps what the gateway answered, when it may be served to anyone. */
  plugin<Context extends { caller: Caller | null }>(): ApolloServerPlugin<Context> {
    return {
      requestDidStart: async () => ({
        willSendResponse: async ({ request, response, operation, document, queryHash, contextValue }) => {
          const caller = contextValue.caller;
          if (!this.enabled || !request.http || isStaff(caller)) return;
          if (/no-store/.test(request.http.headers.get("cache-control") ?? "")) return;
          if (
            response.body.kind !== "single" ||
            response.body.singleResult.errors?.length ||
            (response.http.status ?? 200) !== 200
          )
            return;
          if (!queryHash || !document || !isPublicQuery(operation)) return;
          let forCustomers = this.sameForCustomers.get(document);
          if (forCustomers === undefined) {
            forCustomers = isSameForEveryCustomer(this.schema, document);
            this.sameForCustomers.set(document, forCustomers);
          }
          if (caller && !forCustomers) return;
          this.store(
            cacheKey(queryHash, request.operationName, request.variables),
            JSON.stringify(response.body.singleResult),
            forCustomers,
          );
        },
      }),
    };
  }

  private store(key: string, body: string, forCustomers: boolean): void {
    this.entries.delete(key);
    this.entries.set(key, { body, expiresAt: Date.now() + this.options.ttlSeconds * 1000, forCustomers });
    // Maps iterate in insertion order: the first keys are the oldest.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries) break;
      this.entries.delete(oldest);
    }
    this.options.counter?.inc({ result: "store" });
  }
}
