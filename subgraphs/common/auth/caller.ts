import type { Permission } from "./permissions";

/** Roles as the users service grants them and access tokens carry them. */
export const roles = ["CUSTOMER", "ADMIN"] as const;
export type Role = (typeof roles)[number];

/** Who is calling: the verified subject of the request's access token. */
export interface Caller {
  userId: string;
  roles: readonly Role[];
  /** The session the access token belongs to; revoking it ends the token early. */
  sessionId: string;
  /** Back-office permissions granted beside the roles (staff roles, API keys); ADMIN holds them all. */
  permissions?: readonly Permission[];
  /** Set when the caller is an API key (a service account) rather than a person's access token. */
  apiKey?: ApiKeyCaller;
}

/** What a request made with an API key carries besides its permissions. */
export interface ApiKeyCaller {
  id: string;
  /** The key's own request budget per minute, counted by the router apart from any user's. */
  requestsPerMinute: number;
}

export function isAdmin(caller: Caller | null | undefined): boolean {
  return caller?.roles.includes("ADMIN") ?? false;
}
