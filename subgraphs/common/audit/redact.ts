import type { AuditJson } from "./auditEntry";

/**
 * Keys whose values never go into the audit log: credentials and secrets of any kind. A
 * snapshot is built by the service from chosen fields, so this is the second line of defence.
 */
const secretKey = /password|secret|token|hash|apikey|privatekey|credential|cardnumber|cvc/i;

/** The value as JSON with every secret-looking key left out, `Date`s as ISO strings, bigints as strings. */
export function redacted(value: unknown): AuditJson {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(redacted);
  if (typeof value === "object") {
    const out: { [key: string]: AuditJson } = {};
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      if (secretKey.test(key) || field === undefined || typeof field === "function") continue;
      out[key] = redacted(field);
    }
    return out;
  }
  return null;
}
