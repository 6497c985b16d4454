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
}

export function isAdmin(caller: Caller | null | undefined): boolean {
  return caller?.roles.includes("ADMIN") ?? false;
}
