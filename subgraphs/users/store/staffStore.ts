import type { Permission } from "../../common/auth/permissions";
import type { ApiKey, StaffRole } from "../generated/prisma/client";
import type { UsersReader, UsersTx } from "./database";

export type StaffRoleRecord = StaffRole;
export type ApiKeyRecord = ApiKey;

/** The permissions a user's staff roles grant together (not counting ADMIN), in no particular order. */
export async function staffPermissionsOf(db: UsersReader, userId: string): Promise<Permission[]> {
  const rows = await db.$queryRaw<Array<{ permission: Permission }>>`
    SELECT DISTINCT permission::text AS permission
      FROM user_staff_roles held
      JOIN staff_roles role ON role.id = held.role_id
     CROSS JOIN LATERAL unnest(role.permissions) AS permission
     WHERE held.user_id = ${userId}::uuid`;
  return rows.map((row) => row.permission);
}

export function listStaffRoles(db: UsersReader, limit: number): Promise<StaffRoleRecord[]> {
  return db.staffRole.findMany({ orderBy: { name: "asc" }, take: limit });
}

export function countStaffRoles(db: UsersReader): Promise<number> {
  return db.staffRole.count();
}

export function findStaffRole(db: UsersReader, id: string): Promise<StaffRoleRecord | null> {
  return db.staffRole.findUnique({ where: { id } });
}

/** The roles each of many users holds, by name. */
export async function findStaffRolesOfUsers(
  db: UsersReader,
  userIds: readonly string[],
): Promise<Array<StaffRoleRecord & { userId: string }>> {
  const held = await db.userStaffRole.findMany({
    where: { userId: { in: [...userIds] } },
    include: { role: true },
    orderBy: { role: { name: "asc" } },
  });
  return held.map((row) => ({ ...row.role, userId: row.userId }));
}

/** The users who hold a role, their rows locked until commit (in id order, so two changes never deadlock). */
export async function lockHoldersOfRole(tx: UsersTx, roleId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT u.id::text AS id FROM users u
     WHERE u.id IN (SELECT user_id FROM user_staff_roles WHERE role_id = ${roleId}::uuid)
     ORDER BY u.id FOR UPDATE OF u`;
  return rows.map((row) => row.id);
}

/** Locks a user's row until commit; false when there is no such user. */
export async function lockUser(tx: UsersTx, userId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<
    Array<{ id: string }>
  >`SELECT id::text AS id FROM users WHERE id = ${userId}::uuid FOR UPDATE`;
  return rows.length > 0;
}

export function insertStaffRole(
  tx: UsersTx,
  role: { name: string; description: string; permissions: Permission[] },
): Promise<StaffRoleRecord> {
  return tx.staffRole.create({ data: role });
}

export function updateStaffRole(
  tx: UsersTx,
  id: string,
  changes: { name?: string; description?: string; permissions?: Permission[] },
): Promise<StaffRoleRecord> {
  return tx.staffRole.update({ where: { id }, data: changes });
}

export async function deleteStaffRole(tx: UsersTx, id: string): Promise<void> {
  await tx.staffRole.deleteMany({ where: { id } });
}

/** Gives a user a role; false when they held it already. */
export async function insertStaffRoleHolder(
  tx: UsersTx,
  holder: { userId: string; roleId: string; assignedBy: string },
): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO user_staff_roles (user_id, role_id, assigned_by)
    VALUES (${holder.userId}::uuid, ${holder.roleId}::uuid, ${holder.assignedBy}::uuid)
    ON CONFLICT DO NOTHING`;
  return inserted > 0;
}

/** Takes a role from a user; false when they did not hold it. */
export async function deleteStaffRoleHolder(tx: UsersTx, userId: string, roleId: string): Promise<boolean> {
  const { count } = await tx.userStaffRole.deleteMany({ where: { userId, roleId } });
  return count > 0;
}
