import type { EventDomain } from "../events/catalog";
import type { ServiceName } from "../serviceNames";

/** The domain each service answers privacy requests on (products speaks for the catalog). */
export const privacyDomainOf: Record<ServiceName, EventDomain> = {
  users: "users",
  products: "catalog",
  inventory: "inventory",
  orders: "orders",
  payments: "payments",
  notifications: "notifications",
};

/** Which service answered, from the domain of its event. */
export function serviceOfPrivacyDomain(domain: EventDomain): ServiceName {
  const found = (Object.keys(privacyDomainOf) as ServiceName[]).find((service) => privacyDomainOf[service] === domain);
  if (!found) throw new Error(`no service answers for the ${domain} domain`);
  return found;
}

/**
 * The most one service's part of an export may weigh, as JSON. Parts travel as events (NATS
 * carries at most 1 MiB a message) and six of them make the document, which is therefore at most
 * about 1.5 MiB.
 */
export const maxExportPartBytes = 256 * 1024;

/** Records of one kind a service puts in an export at most (the most recent ones). */
export const maxExportRecords = 500;

/** Plain JSON of what a store returned: dates as ISO strings, big integers as decimal strings. */
export function toPlainJson(value: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(value, (_key, each: unknown) => (typeof each === "bigint" ? each.toString() : each)),
  ) as Record<string, unknown>;
}

/**
 * A part of an export within `maxBytes`: while it is too big, its longest list loses its older
 * half (lists are most recent first), and `truncated` names the lists that were cut, so the
 * document says it is not whole rather than failing the request.
 */
export function boundedExportPart(
  data: Record<string, unknown>,
  maxBytes = maxExportPartBytes,
): Record<string, unknown> {
  const part = toPlainJson(data);
  const truncated = new Set<string>();
  const size = () => Buffer.byteLength(JSON.stringify({ ...part, truncated: [...truncated] }));
  while (size() > maxBytes) {
    const longest = Object.entries(part)
      .filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]) && entry[1].length > 0)
      .sort((a, b) => JSON.stringify(b[1]).length - JSON.stringify(a[1]).length)[0];
    if (!longest) return { truncated: ["everything"], note: "This service's data was too large to export." };
    part[longest[0]] = longest[1].slice(0, Math.floor(longest[1].length / 2));
    truncated.add(longest[0]);
  }
  return truncated.size > 0 ? { ...part, truncated: [...truncated] } : part;
}
