import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  level: string;
  pretty?: boolean;
  /** Where lines go instead of stdout (tests read them). */
  destination?: DestinationStream;
}

const redacted = "[redacted]";

/** Keys whose value is a secret whatever it looks like: passwords, tokens, keys, credentials. */
const secretKey =
  /pass(word|phrase|wd)?$|secret|token|authorization|cookie|credential|signature|(private|signing|sealing|api|access|secret)[-_]?key|^pass$|^jwk$|^otp$/i;

/** Secrets recognisable by their shape, wherever they appear in a logged string. */
const secretShapes: ReadonlyArray<[RegExp, string]> = [
  // A PEM private key.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, redacted],
  // A bearer token, then any JWT (access tokens).
  [/\bBearer\s+[\w.~+/=-]+/gi, `Bearer ${redacted}`],
  [/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, redacted],
  // A password in a URL (postgres://user:password@host, redis://:password@host, smtp://...).
  [/\b([a-z][\w+.-]*:\/\/[^:\s/@]*:)[^@\s/]+@/gi, `$1${redacted}@`],
  // A secret in a link's query (?token=..., &code=...).
  [/([?&](token|code|key|secret|password|signature)=)[^&\s#"']+/gi, `$1${redacted}`],
  // A router signature, a sealed secret (v1.<key id>.<iv>.<ciphertext>.<tag>).
  [/\bv1=[0-9a-f]{64}\b/g, `v1=${redacted}`],
  [/\bv1\.[\w-]{11}\.[\w-]{16}\.[\w-]+\.[\w-]{22}\b/g, redacted],
  // A guest's order access token (ga1.<expiry>.<HMAC>).
  [/\bga1\.\d+\.[\w-]{43}(?![\w-])/g, redacted],
  // Stripe's secret keys and webhook signing secrets, and the client secret of a payment or setup
  // waiting for its customer (pi_…_secret_…, seti_…_secret_…, and the simulated provider's alike).
  [/\b(sk|rk)_(live|test)_\w+/g, redacted],
  [/\bwhsec_\w+/g, redacted],
  [/\b[a-z]+_\w+?_secret_\w+/g, redacted],
  // An opaque token as the users service makes them: 32 random bytes, base64url (43 characters).
  [/(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{43}(?![\w-])/g, redacted],
];

/**
 * Letters, digits and hyphens, at most 42: no shape above can match (each needs a space, a `.`,
 * `:`, `=`, `_` or `?`, or a run of 43), and most logged strings look so (ids, trace ids, codes).
 * Checked first because every request's logger child scrubs its ids: the twelve shapes cost ~5 µs.
 */
const plainWord = /^[0-9A-Za-z-]{0,42}$/;

/** A string with every secret shape it contains replaced. */
export function scrubSecrets(text: string): string {
  if (plainWord.test(text)) return text;
  let result = text;
  for (const [shape, replacement] of secretShapes) result = result.replace(shape, replacement);
  return result;
}

/**
 * A copy of a logged value with secrets removed: the value of any key that names a secret, and
 * any string's secret shapes, however deep. Errors keep their type, message and stack (scrubbed).
 */
export function scrubLogged(value: unknown, seen: WeakSet<object> = new WeakSet(), depth = 0): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (!value || typeof value !== "object") return value;
  if (seen.has(value) || depth > 12) return "[...]";
  seen.add(value);
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((each) => scrubLogged(each, seen, depth + 1));
  if (value instanceof Date) return value;
  // An error stays an error of its class (pino's serializer names its type), its text scrubbed.
  const copy: Record<string, unknown> =
    value instanceof Error ? (Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>) : {};
  if (value instanceof Error) {
    for (const key of ["message", "stack"] as const)
      Object.defineProperty(copy, key, { value: scrubLogged(value[key], seen, depth + 1), enumerable: false });
    if (value.cause !== undefined) copy.cause = scrubLogged(value.cause, seen, depth + 1);
  }
  for (const [key, each] of Object.entries(value as Record<string, unknown>)) {
    copy[key] =
      secretKey.test(key) && each !== null && each !== undefined ? redacted : scrubLogged(each, seen, depth + 1);
  }
  return copy;
}

/**
 * The process's root logger; modules take a `child({ module })` of it. Secrets never reach a
 * line, whatever key they are logged under: every argument and every child's bindings go
 * through `scrubLogged` (keys that name a secret, strings shaped like one), on top of pino's
 * path redaction of the usual places.
 */
export function createLogger(service: string, options: LoggerOptions): Logger {
  const settings: pino.LoggerOptions = {
    name: service,
    level: options.level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ["req.headers.authorization", "req.headers.cookie", "*.password", "*.token", "*.authorization"],
      censor: redacted,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((each) => scrubLogged(each)) as Parameters<typeof method>);
      },
    },
    ...(options.pretty
      ? { transport: { target: "pino-pretty", options: { singleLine: true, ignore: "pid,hostname" } } }
      : {}),
  };
  const logger = options.destination ? pino(settings, options.destination) : pino(settings);
  // Children inherit this `child` (pino makes each with Object.create of its parent), so the
  // bindings of every descendant are scrubbed too.
  const pinoChild = logger.child as unknown as (this: Logger, bindings: unknown, childOptions?: unknown) => Logger;
  logger.child = function (this: Logger, bindings: Record<string, unknown>, childOptions?: unknown) {
    return pinoChild.call(this, scrubLogged(bindings), childOptions);
  } as unknown as Logger["child"];
  return logger;
}
