import { loaderByKey, loaderOfMany } from "../common/loaders";
import { maxAddressesPerUser } from "./domain/profile";
import { findPushDevicesOfUsers } from "./store/contactStore";
import type { UsersDb } from "./store/database";
import { findIdentitiesOfUsers } from "./store/oidcIdentityStore";
import { findStaffRolesOfUsers } from "./store/staffStore";
import { findAddressesOfUsers, findUsersByIds } from "./store/userStore";

export function createUsersLoaders(db: UsersDb) {
  return {
    userById: loaderByKey(
      (ids) => findUsersByIds(db, ids),
      (user) => user.id,
    ),
    addressesOfUser: loaderOfMany(
      (ids) => findAddressesOfUsers(db, ids, maxAddressesPerUser),
      (address) => address.userId,
    ),
    pushDevicesOfUser: loaderOfMany(
      (ids) => findPushDevicesOfUsers(db, ids),
      (device) => device.userId,
    ),
    identitiesOfUser: loaderOfMany(
      (ids) => findIdentitiesOfUsers(db, ids),
      (identity) => identity.userId,
    ),
    staffRolesOfUser: loaderOfMany(
      (ids) => findStaffRolesOfUsers(db, ids),
      (role) => role.userId,
    ),
  };
}

export type UsersLoaders = ReturnType<typeof createUsersLoaders>;
