import type { ServiceName } from "../serviceNames";

export interface DatabaseLocation {
  POSTGRES_URL: string;
  DATABASE_PREFIX: string;
  DATABASE_URL?: string | undefined;
}

/** The connection URL of a service's own database: DATABASE_URL, or POSTGRES_URL + prefix + name. */
export function databaseUrlFor(service: ServiceName, location: DatabaseLocation): string {
  if (location.DATABASE_URL) return location.DATABASE_URL;
  const url = new URL(location.POSTGRES_URL);
  url.pathname = `/${location.DATABASE_PREFIX}${service}`;
  return url.toString();
}

/** host:port/database of a connection URL, without credentials: safe to print. */
export function describeDatabase(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
}

export function databaseName(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
}
