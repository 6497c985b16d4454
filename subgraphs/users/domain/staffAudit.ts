import type { Caller } from "../../common/auth/caller";
import { recordAudit, type AuditChange } from "../../common/audit/recordAudit";
import type { Emit } from "../../common/events/unitOfWork";
import type { UsersTx } from "../store/database";
import type { ApiKeyRecord, StaffRoleRecord } from "../store/staffStore";
import { inPermissionOrder } from "./staffGrants";

/** What the audit log keeps of a staff role: its name and what it allows. */
export function staffRoleAuditView(role: StaffRoleRecord) {
  return { name: role.name, description: role.description, permissions: inPermissionOrder(role.permissions) };
}

/**
 * What the audit log keeps of an API key: never the secret nor its hash (fields are chosen here,
 * not copied, so a column added later stays out until someone decides it belongs).
 */
export function apiKeyAuditView(key: ApiKeyRecord) {
  return {
    name: key.name,
    permissions: inPermissionOrder(key.permissions),
    requestsPerMinute: key.requestsPerMinute,
    createdById: key.createdById,
    revokedAt: key.revokedAt,
    revokedById: key.revokedById,
  };
}

/** Records a change of staff roles or API keys made by `caller`, in the transaction of the change. */
export function auditStaffChange(
  tx: UsersTx,
  emit: Emit,
  caller: Caller | null | undefined,
  change: AuditChange,
): Promise<unknown> {
  return recordAudit(tx, emit, "users", caller, change);
}
