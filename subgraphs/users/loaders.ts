import { loaderByKey, loaderOfMany } from "../common/loaders";
import type { UsersDb } from "./store/database";
import { findAddressesOfUsers, findUsersByIds } from "./store/userStore";

export function createUsersLoaders(db: UsersDb) {
  return {
    userById: loaderByKey(
      (ids) => findUsersByIds(db, ids),
      (user) => user.id,
    ),
    addressesOfUser: loaderOfMany(
      (ids) => findAddressesOfUsers(db, ids),
      (address) => address.userId,
    ),
  };
}

export type UsersLoaders = ReturnType<typeof createUsersLoaders>;
