import type { Caller } from "../../common/auth/caller";
import type { Permission } from "../../common/auth/permissions";
import { violatesUnique } from "../../common/database/uniqueViolation";
import { ConflictError, NotFoundError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import { isUuid, optionalText, requiredText } from "../../common/validation";
import type { UsersTx } from "../store/database";
import type { UserRecord } from "../store/records";
import { revokeAllSessions } from "../store/sessionStore";
import {
  countStaffRoles,
  deleteStaffRole,
  deleteStaffRoleHolder,
  findStaffRole,
  findStaffRolesOfUsers,
  insertStaffRole,
  insertStaffRoleHolder,
  lockHoldersOfRole,
  lockUser,
  updateStaffRole,
  type StaffRoleRecord,
} from "../store/staffStore";
import { findUsersByIds } from "../store/userStore";
import type { Revocations } from "./identity";
import { auditStaffChange, staffRoleAuditView } from "./staffAudit";
import { grantablePermissions, inPermissionOrder, requireHoldsAll } from "./staffGrants";

/** Staff roles a shop may define; a list that a back office shows whole. */
export const maxStaffRoles = 100;

export interface StaffRoleDependencies {
  unitOfWork: UnitOfWork<UsersTx>;
  revocations: Revocations;
  /** How long an access token lives: how long a revocation must be remembered. */
  accessTokenTtlSeconds: number;
}

/**
 * A change of someone's permissions takes effect by signing them out everywhere: their sessions
 * are revoked in the database and in Redis (where the router and every subgraph check each
 * token), so no access token with the old permissions works from the next request on, and the
 * next sign-in carries the new ones. The holders' rows are locked first, which orders the change
 * against a sign-in under way (login locks the same row before it opens a session).
 */
async function signOutEverywhere(deps: StaffRoleDependencies, tx: UsersTx, userIds: readonly string[]): Promise<void> {
  const sessions: string[] = [];
  for (const userId of userIds) sessions.push(...(await revokeAllSessions(tx, userId, "PERMISSIONS_CHANGED")));
  // In Redis before the commit: if that fails the change rolls back (see `Revocations`).
  await deps.revocations.revoke(sessions, deps.accessTokenTtlSeconds);
}

function roleName(value: string): string {
  return requiredText(value, "name", { max: 60 });
}

async function existingRole(tx: UsersTx, id: string): Promise<StaffRoleRecord> {
  const role = isUuid(id) ? await findStaffRole(tx, id) : null;
  if (!role) throw new NotFoundError("No staff role has this id.");
  return role;
}

function conflictOnName(error: unknown): never {
  if (violatesUnique(error, "name")) throw new ConflictError("A staff role with this name already exists.", "name");
  throw error;
}

export async function createStaffRole(
  deps: StaffRoleDependencies,
  caller: Caller,
  input: { name: string; description?: string | null; permissions: readonly Permission[] },
): Promise<StaffRoleRecord> {
  const role = {
    name: roleName(input.name),
    description: optionalText(input.description, "description", 500) ?? "",
    permissions: grantablePermissions(caller, input.permissions, "permissions"),
  };
  try {
    return await deps.unitOfWork(async (tx, emit) => {
      if ((await countStaffRoles(tx)) >= maxStaffRoles)
        throw new ConflictError(`There are already ${maxStaffRoles} staff roles: change or delete one.`);
      const created = await insertStaffRole(tx, role);
      await auditStaffChange(tx, emit, caller, {
        entityType: "STAFF_ROLE",
        entityId: created.id,
        action: "staff_role.created",
        before: null,
        after: staffRoleAuditView(created),
      });
      return created;
    });
  } catch (error) {
    return conflictOnName(error);
  }
}

export async function changeStaffRole(
  deps: StaffRoleDependencies,
  caller: Caller,
  id: string,
  input: { name?: string | null; description?: string | null; permissions?: readonly Permission[] | null },
): Promise<StaffRoleRecord> {
  const changes = {
    ...(input.name != null ? { name: roleName(input.name) } : {}),
    ...(input.description != null ? { description: optionalText(input.description, "description", 500) ?? "" } : {}),
    ...(input.permissions != null
      ? { permissions: grantablePermissions(caller, input.permissions, "permissions") }
      : {}),
  };
  try {
    return await deps.unitOfWork(async (tx, emit) => {
      const role = await existingRole(tx, id);
      requireHoldsAll(caller, role.permissions, "this role");
      const holders = await lockHoldersOfRole(tx, role.id);
      const updated = await updateStaffRole(tx, role.id, changes);
      const before = inPermissionOrder(role.permissions).join();
      if (inPermissionOrder(updated.permissions).join() !== before) await signOutEverywhere(deps, tx, holders);
      await auditStaffChange(tx, emit, caller, {
        entityType: "STAFF_ROLE",
        entityId: role.id,
        action: "staff_role.updated",
        before: staffRoleAuditView(role),
        after: staffRoleAuditView(updated),
      });
      return updated;
    });
  } catch (error) {
    return conflictOnName(error);
  }
}

export async function removeStaffRole(deps: StaffRoleDependencies, caller: Caller, id: string): Promise<true> {
  await deps.unitOfWork(async (tx, emit) => {
    const role = await existingRole(tx, id);
    requireHoldsAll(caller, role.permissions, "this role");
    const holders = await lockHoldersOfRole(tx, role.id);
    await deleteStaffRole(tx, role.id);
    await signOutEverywhere(deps, tx, holders);
    await auditStaffChange(tx, emit, caller, {
      entityType: "STAFF_ROLE",
      entityId: role.id,
      action: "staff_role.deleted",
      // Who held it: they lost its permissions with it.
      before: { ...staffRoleAuditView(role), holderIds: holders },
      after: null,
    });
  });
  return true;
}

/** The staff roles a user holds, as the audit log keeps them. */
async function heldRoles(tx: UsersTx, userId: string) {
  const held = await findStaffRolesOfUsers(tx, [userId]);
  return held.map((role) => ({ id: role.id, name: role.name, permissions: inPermissionOrder(role.permissions) }));
}

/** Gives (`assign: true`) or takes a staff role; the user is signed out when it changed anything. */
export async function setStaffRoleHeld(
  deps: StaffRoleDependencies,
  caller: Caller,
  target: { userId: string; roleId: string },
  assign: boolean,
): Promise<UserRecord> {
  return deps.unitOfWork(async (tx, emit) => {
    if (!isUuid(target.userId) || !(await lockUser(tx, target.userId)))
      throw new NotFoundError("No user has this id.", "userId");
    const role = await existingRole(tx, target.roleId);
    requireHoldsAll(caller, role.permissions, "this role");
    const before = await heldRoles(tx, target.userId);
    const changed = assign
      ? await insertStaffRoleHolder(tx, { userId: target.userId, roleId: role.id, assignedBy: caller.userId })
      : await deleteStaffRoleHolder(tx, target.userId, role.id);
    if (changed) {
      await signOutEverywhere(deps, tx, [target.userId]);
      // Entered under the user whose access changed; a call that changed nothing is no change.
      await auditStaffChange(tx, emit, caller, {
        entityType: "USER",
        entityId: target.userId,
        action: assign ? "staff_role.assigned" : "staff_role.revoked",
        before: { roleId: role.id, staffRoles: before },
        after: { roleId: role.id, staffRoles: await heldRoles(tx, target.userId) },
      });
    }
    const [user] = await findUsersByIds(tx, [target.userId]);
    return user!;
  });
}
