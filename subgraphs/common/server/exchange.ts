import type { IncomingMessage, ServerResponse } from "node:http";
import type { Caller } from "../auth/caller";
import { clientAddressOf, type TrustCheck } from "../auth/trustProxy";
import { ErrorCode } from "../errors";
import { searchOf } from "./dispatch";

/**
 * One request to `/graphql` on its way through the pre-handlers to Apollo Server: what the
 * request says, and what the pre-handlers learned (the caller, the body).
 */
export class GraphQLExchange {
  /** The verified caller (set by the authentication pre-handler); null for an anonymous request. */
  caller: Caller | null = null;
  /** The parsed JSON body; undefined without one, or when it is not `application/json`. */
  body: unknown = undefined;
  /** The body as it arrived, for the router signature's check. */
  rawBody: Buffer | undefined = undefined;
  private address: string | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** The request's id: the caller's `x-request-id`, or a new one. */
    readonly requestId: string,
    /** The request's W3C trace context when the process keeps no async context (see tracing). */
    readonly traceparent: string | undefined,
    private readonly trust: TrustCheck,
  ) {}

  get method(): string {
    return this.req.method ?? "GET";
  }

  /** The query string with its `?`, or "". */
  get search(): string {
    return searchOf(this.req.url);
  }

  /** A request header (a repeated one joined with commas); the name in lower case. */
  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  }

  /** The client's address through the trusted proxies (TRUST_PROXY), as Express computes `req.ip`. */
  get clientAddress(): string {
    return (this.address ??= clientAddressOf(this.req, this.trust));
  }
}

/** What a pre-handler answers in place of Apollo Server: a status, a body, headers to add. */
export interface Answer {
  status: number;
  body: string;
  /** Defaults to JSON; null for none (an empty answer). */
  contentType?: string | null;
  headers?: Record<string, string>;
}

/**
 * One step in front of Apollo Server: answers the request itself (a refusal, a cached answer),
 * or lets it go on (undefined), having noted what it learned on the exchange.
 */
export type PreHandler = (exchange: GraphQLExchange) => Answer | undefined | Promise<Answer | undefined>;

export const jsonContentType = "application/json; charset=utf-8";

/** A GraphQL error answer, as Apollo Server would write it, before any resolver (or subgraph) runs. */
export function errorAnswer(
  status: number,
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): Answer {
  return { status, body: JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] }) };
}

/** Writes an answer: its status, headers and body with its length. */
export function sendAnswer(res: ServerResponse, answer: Answer): void {
  res.statusCode = answer.status;
  if (answer.headers) for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  if (answer.contentType !== null) res.setHeader("content-type", answer.contentType ?? jsonContentType);
  res.setHeader("content-length", Buffer.byteLength(answer.body));
  res.end(answer.body);
}

export { ErrorCode };
