import { requireOwnerOrAdmin } from "../../common/auth/guards";
import type { Caller } from "../../common/auth/caller";
import type { LinkedIdentityResolvers, PushDeviceResolvers, UserResolvers } from "../generated/graphql";
import type { UserRecord } from "../store/records";

function requireSelfOrAdmin(caller: Caller | null, user: UserRecord, what: string): void {
  if (!user.signedInAs) requireOwnerOrAdmin(caller, user.id, what);
}

/** Anyone may see a user's id and name (a review's author); the rest only the user and ADMIN. */
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
};

export const PushDevice: PushDeviceResolvers = {
  tokenHint: (device) => device.token.slice(-4),
};

export const LinkedIdentity: LinkedIdentityResolvers = {
  linkedAt: (identity) => identity.createdAt,
};
