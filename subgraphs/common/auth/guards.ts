import { ForbiddenError, UnauthenticatedError } from "../errors";
import type { Caller } from "./caller";
import { hasPermission, type Permission } from "./permissions";

/**
 * Checks resolvers call first: who may do what is decided in each subgraph, next to the data,
 * whatever the router has already checked.
 */

export function requireCaller(caller: Caller | null | undefined): Caller {
  if (!caller) throw new UnauthenticatedError();
  return caller;
}

/** Back-office work of one kind: FORBIDDEN without the permission (ADMIN holds every one). */
export function requirePermission(caller: Caller | null | undefined, permission: Permission): Caller {
  const signedIn = requireCaller(caller);
  if (!hasPermission(signedIn, permission)) throw new ForbiddenError(`This needs the ${permission} permission.`);
  return signedIn;
}

/** The caller is `ownerId` themself, or holds `permission` (staff looking after that data). */
export function requireOwnerOrPermission(
  caller: Caller | null | undefined,
  ownerId: string,
  permission: Permission,
  what = "this",
): Caller {
  const signedIn = requireCaller(caller);
  if (signedIn.userId !== ownerId && !hasPermission(signedIn, permission))
    throw new ForbiddenError(`You are not allowed to see ${what}.`);
  return signedIn;
}

export function isOwnerOrPermission(
  caller: Caller | null | undefined,
  ownerId: string,
  permission: Permission,
): boolean {
  return !!caller && (caller.userId === ownerId || hasPermission(caller, permission));
}
