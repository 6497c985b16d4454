import type { Caller } from "../../common/auth/caller";
import { hasPermission, permissions, type Permission } from "../../common/auth/permissions";
import { BadUserInputError, ForbiddenError } from "../../common/errors";

/**
 * What staff may hand out: only permissions they hold themselves, so holding STAFF never becomes
 * a way to more (a role or key with REFUNDS made by someone without it).
 */
export function grantablePermissions(caller: Caller, wanted: readonly Permission[], field: string): Permission[] {
  const unique = permissions.filter((permission) => wanted.includes(permission));
  if (unique.length === 0) throw new BadUserInputError(`\`${field}\` must name at least one permission.`, field);
  const beyond = unique.filter((permission) => !hasPermission(caller, permission));
  if (beyond.length > 0)
    throw new ForbiddenError(`You cannot grant permissions you do not hold: ${beyond.join(", ")}.`);
  return unique;
}

/** The permissions of a role or key must all be the caller's own before they may change or give it. */
export function requireHoldsAll(caller: Caller, granted: readonly Permission[], what: string): void {
  const beyond = granted.filter((permission) => !hasPermission(caller, permission));
  if (beyond.length > 0)
    throw new ForbiddenError(
      `You cannot change ${what}: it grants permissions you do not hold (${beyond.join(", ")}).`,
    );
}

/** Every permission in the enum's order, as a role or token lists them. */
export function inPermissionOrder(granted: readonly Permission[]): Permission[] {
  return permissions.filter((permission) => granted.includes(permission));
}
