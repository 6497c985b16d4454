import { loaderByKey, loaderOfMany } from "../common/loaders";
import { maxAddressesPerUser } from "./domain/profile";
import type { UsersDb } from "./store/database";
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
  };
}

export type UsersLoaders = ReturnType<typeof createUsersLoaders>;
