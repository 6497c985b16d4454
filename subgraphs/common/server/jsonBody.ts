import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import { ErrorCode, errorAnswer, type PreHandler } from "./exchange";

/** Why a body was refused, with the HTTP status body-parser gave it. */
export interface BodyProblem {
  status: number;
  kind: "too.large" | "parse.failed" | "charset.unsupported" | "encoding.unsupported" | "request.invalid";
  message: string;
}

export type BodyRead = { body: unknown; raw: Buffer | undefined } | { problem: BodyProblem };

const noBody: BodyRead = { body: undefined, raw: undefined };

/** Whether the request has a body at all (type-is's `hasBody`). */
function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers["transfer-encoding"] !== undefined ||
    !Number.isNaN(Number.parseInt(req.headers["content-length"] ?? "", 10))
  );
}

/** The media type and charset of a Content-Type header, lower case. */
function contentTypeOf(header: string | undefined): { type: string; charset: string | undefined } {
  if (!header) return { type: "", charset: undefined };
  const [type = "", ...parameters] = header.split(";");
  let charset: string | undefined;
  for (const parameter of parameters) {
    const [name, value] = parameter.split("=");
    if (name?.trim().toLowerCase() === "charset" && value) charset = value.trim().replace(/^"|"$/g, "").toLowerCase();
  }
  return { type: type.trim().toLowerCase(), charset };
}

function unsupportedCharset(charset: string): BodyProblem {
  return { status: 415, kind: "charset.unsupported", message: `unsupported charset "${charset.toUpperCase()}"` };
}

function decompression(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  if (encoding === "gzip") return zlib.createGunzip();
  if (encoding === "deflate") return zlib.createInflate();
  if (encoding === "br") return zlib.createBrotliDecompress();
  return undefined;
}

/** Reads a stream whole, at most `limit` bytes; the rest of the request is read off and dropped. */
function readAll(
  req: IncomingMessage,
  stream: Readable,
  limit: number,
  length: number | undefined,
): Promise<Buffer | BodyProblem> {
  const tooLarge: BodyProblem = { status: 413, kind: "too.large", message: "request entity too large" };
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (result: Buffer | BodyProblem) => {
      if (settled) return;
      settled = true;
      stream.removeAllListeners("data");
      if (result instanceof Buffer) return resolve(result);
      if (stream !== req) stream.destroy();
      // Answered once the request is read off, so the connection stays usable (as body-parser does).
      if (req.readableEnded || req.destroyed) return resolve(result);
      req.on("end", () => resolve(result)).on("error", () => resolve(result));
      req.on("close", () => resolve(result));
      req.resume();
    };
    if (length !== undefined && length > limit) return settle(tooLarge);
    stream.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) settle(tooLarge);
      else chunks.push(chunk);
    });
    stream.once("end", () => {
      if (length !== undefined && stream === req && received !== length)
        settle({ status: 400, kind: "request.invalid", message: "request size did not match content length" });
      else settle(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    });
    stream.once("error", () => settle({ status: 400, kind: "request.invalid", message: "request aborted" }));
    req.once("aborted", () => settle({ status: 400, kind: "request.invalid", message: "request aborted" }));
  });
}

function parse(decoded: string): unknown {
  // A byte order mark is no part of the JSON (iconv, which body-parser decodes with, drops it).
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  if (text.length === 0) return {};
  // Strict, as body-parser: a JSON object or array only.
  const first = text[0] === "{" || text[0] === "[" ? text[0] : /^[ \t\n\r]*(.|$)/.exec(text)?.[1];
  if (first !== "{" && first !== "[") throw new SyntaxError("not an object or array");
  return JSON.parse(text);
}

/**
 * The request's JSON body the way Express's json parser read it: only an `application/json`
 * body (anything else is no body), in a UTF charset, plain or compressed (gzip, deflate, br), at
 * most `limit` bytes, an object or an array; an empty body is `{}`. A problem carries the HTTP
 * status body-parser answered it with.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  if (!hasBody(req)) return noBody;
  const { type, charset = "utf-8" } = contentTypeOf(req.headers["content-type"]);
  if (type !== "application/json") return noBody;
  if (!charset.startsWith("utf-")) return { problem: unsupportedCharset(charset) };
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  let stream: Readable = req;
  if (encoding !== "identity") {
    const decompressor = decompression(encoding);
    if (!decompressor)
      return {
        problem: { status: 415, kind: "encoding.unsupported", message: `unsupported content encoding "${encoding}"` },
      };
    stream = req.pipe(decompressor);
  }
  const declared = req.headers["content-length"];
  const length = encoding === "identity" && declared !== undefined ? Number(declared) : undefined;
  const raw = await readAll(req, stream, limit, length);
  if ("kind" in raw) return { problem: raw };
  let text: string;
  try {
    text = charset === "utf-8" ? raw.toString("utf8") : new TextDecoder(charset).decode(raw);
  } catch {
    return { problem: unsupportedCharset(charset) };
  }
  try {
    return { body: parse(text), raw };
  } catch {
    return { problem: { status: 400, kind: "parse.failed", message: "The request body is not valid JSON." } };
  }
}

/**
 * The pre-handler that reads the body into the exchange (and keeps it raw, for the router
 * signature): a body too large is 413, one that is not JSON 400, with Apollo Server's code for a
 * malformed request (BAD_REQUEST); an unsupported charset or encoding is 415.
 */
export function jsonBody(limit: number): PreHandler {
  return async (exchange) => {
    const read = await readJsonBody(exchange.req, limit);
    if ("problem" in read) {
      const { status, kind, message } = read.problem;
      if (kind === "too.large")
        return errorAnswer(status, ErrorCode.BAD_REQUEST, `The request is too large (at most ${limit} bytes).`);
      return errorAnswer(status, ErrorCode.BAD_REQUEST, message);
    }
    exchange.body = read.body;
    exchange.rawBody = read.raw;
    return undefined;
  };
}
