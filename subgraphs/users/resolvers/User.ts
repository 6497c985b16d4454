import { requireOwnerOrPermission } from "../../common/auth/guards";
import { hasPermission, permissions } from "../../common/auth/permissions";
import type { Caller } from "../../common/auth/caller";
import type { LinkedIdentityResolvers, PushDeviceResolvers, UserResolvers } from "../generated/graphql";
import type { UserRecord } from "../store/records";

function requireSelfOrAdmin(caller: Caller | null, user: UserRecord, what: string): void {
  if (!user.signedInAs) requireOwnerOrPermission(caller, user.id, "CUSTOMERS", what);
}

/** Anyone may see a user's id and name (a review's author); the rest only the user and staff with CUSTOMERS. */
export const User: UserResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.userById.load(reference.id),
  email: (user, _args, { caller }) => (requireSelfOrAdmin(caller, user, "another user's email"), user.email),
  emailVerified: (user, _args, { caller }) => (
    requireSelfOrAdmin(caller, user, "another user's email"),
    user.emailVerifiedAt !== null
  ),
  roles: (user, _args, { caller }) => (requireSelfOrAdmin(caller, user, "another user's roles"), user.roles),
  createdAt: (user, _args, { caller }) => (requireSelfOrAdmin(caller, user, "another user's account"), user.createdAt),
  addresses: (user, _args, { caller, loaders }) => {
    requireSelfOrAdmin(caller, user, "another user's addresses");
    return loaders.addressesOfUser.load(user.id);
  },
  phoneNumber: (user, _args, { caller }) => (
    requireSelfOrAdmin(caller, user, "another user's phone number"),
    user.phoneNumber
  ),
  pushDevices: (user, _args, { caller, loaders }) => {
    requireSelfOrAdmin(caller, user, "another user's devices");
    return loaders.pushDevicesOfUser.load(user.id);
  },
  linkedIdentities: (user, _args, { caller, loaders }) => {
    requireSelfOrAdmin(caller, user, "another user's sign-in methods");
    return loaders.identitiesOfUser.load(user.id);
  },
  staffRoles: (user, _args, { caller, loaders }) => {
    if (!user.signedInAs) requireOwnerOrPermission(caller, user.id, "STAFF", "another user's staff roles");
    return loaders.staffRolesOfUser.load(user.id);
  },
  async permissions(user, _args, { caller, loaders }) {
    if (!user.signedInAs) requireOwnerOrPermission(caller, user.id, "STAFF", "another user's permissions");
    const held = (await loaders.staffRolesOfUser.load(user.id)).flatMap((role) => role.permissions);
    const subject = { userId: user.id, sessionId: "", roles: user.roles, permissions: held };
    return permissions.filter((permission) => hasPermission(subject, permission));
  },
};

export const PushDevice: PushDeviceResolvers = {
  tokenHint: (device) => device.token.slice(-4),
};

export const LinkedIdentity: LinkedIdentityResolvers = {
  linkedAt: (identity) => identity.createdAt,
};
