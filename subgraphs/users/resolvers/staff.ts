import { requirePermission } from "../../common/auth/guards";
import { pageSize, newestFirstCursor, toConnection } from "../../common/pagination";
import { createApiKey, keyPrefixOf, revokeApiKey } from "../domain/apiKeys";
import { maxStaffRoles } from "../domain/staffRoles";
import { changeStaffRole, createStaffRole, removeStaffRole, setStaffRoleHeld } from "../domain/staffRoles";
import type { ApiKeyResolvers, MutationResolvers, QueryResolvers } from "../generated/graphql";
import { countApiKeys, listApiKeys } from "../store/apiKeyStore";
import { listStaffRoles } from "../store/staffStore";

/** Staff roles and API keys: the back office's STAFF permission, checked here beside the data. */
export const staffQueries: Pick<QueryResolvers, "roles" | "apiKeys"> = {
  roles: (_parent, _args, { caller, db }) => (requirePermission(caller, "STAFF"), listStaffRoles(db, maxStaffRoles)),
  async apiKeys(_parent, args, { caller, db }) {
    requirePermission(caller, "STAFF");
    const size = pageSize(args.first);
    const query = { includeRevoked: args.includeRevoked ?? false, size, after: args.after };
    return toConnection(await listApiKeys(db, query), size, newestFirstCursor, () => countApiKeys(db, query));
  },
};

export const staffMutations: Pick<
  MutationResolvers,
  "roleCreate" | "roleUpdate" | "roleDelete" | "staffRoleAssign" | "staffRoleRevoke" | "apiKeyCreate" | "apiKeyRevoke"
> = {
  roleCreate: (_parent, { input }, { caller, staffRoles }) =>
    createStaffRole(staffRoles, requirePermission(caller, "STAFF"), input),
  roleUpdate: (_parent, { id, input }, { caller, staffRoles }) =>
    changeStaffRole(staffRoles, requirePermission(caller, "STAFF"), id, input),
  roleDelete: (_parent, { id }, { caller, staffRoles }) =>
    removeStaffRole(staffRoles, requirePermission(caller, "STAFF"), id),
  staffRoleAssign: (_parent, { userId, roleId }, { caller, staffRoles }) =>
    setStaffRoleHeld(staffRoles, requirePermission(caller, "STAFF"), { userId, roleId }, true),
  staffRoleRevoke: (_parent, { userId, roleId }, { caller, staffRoles }) =>
    setStaffRoleHeld(staffRoles, requirePermission(caller, "STAFF"), { userId, roleId }, false),
  apiKeyCreate: (_parent, { input }, { caller, apiKeys }) =>
    createApiKey(apiKeys, requirePermission(caller, "STAFF"), input),
  apiKeyRevoke: (_parent, { id }, { caller, apiKeys }) => revokeApiKey(apiKeys, requirePermission(caller, "STAFF"), id),
};

export const ApiKey: ApiKeyResolvers = {
  keyPrefix: (key) => keyPrefixOf(key),
  // Noted by the router in Redis on every request the key makes (see rateLimit.ts).
  lastUsedAt: async (key, _args, { apiKeys }) => (await apiKeys.registry.lastUsed([key.id])).get(key.id) ?? null,
};
