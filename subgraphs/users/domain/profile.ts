import { ConflictError, NotFoundError, UnauthenticatedError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import { validateAddress, type AddressFields } from "../../common/postalAddress";
import { isUuid } from "../../common/validation";
import type { UsersTx } from "../store/database";
import { deleteAddress, insertAddress } from "../store/addressStore";
import type { AddressRecord, UserRecord } from "../store/records";
import { findUsersByIds, updateUser } from "../store/userStore";
import { prepareEmailChange } from "./emailChange";
import type { IdentityDependencies } from "./identity";
import { personName } from "./inputs";

export interface ProfileDependencies {
  unitOfWork: UnitOfWork<UsersTx>;
}

/** The most addresses one user may save: a bound on what one account can make the service store and list. */
export const maxAddressesPerUser = 20;

/**
 * Changes the user's name at once. A new email is not changed here: it starts the confirmed
 * change of `requestEmailChange` (current password, link to the new address), in the same
 * transaction as the name; the returned user still has the old email.
 */
export async function updateProfile(
  deps: IdentityDependencies,
  userId: string,
  clientAddress: string,
  input: { name?: string | null; email?: string | null; currentPassword?: string | null },
): Promise<UserRecord> {
  const name = input.name !== null && input.name !== undefined ? personName(input.name) : undefined;
  const [user] = await deps.unitOfWork((tx) => findUsersByIds(tx, [userId]));
  if (!user) throw new UnauthenticatedError("Your account no longer exists.");
  const recordEmailChange =
    input.email !== null && input.email !== undefined
      ? await prepareEmailChange(
          deps,
          user,
          { newEmail: input.email, currentPassword: input.currentPassword },
          clientAddress,
          { newEmail: "email", currentPassword: "currentPassword" },
        )
      : null;
  return deps.unitOfWork(async (tx, emit) => {
    let updated = user;
    if (name !== undefined && name !== user.name) {
      updated = await updateUser(tx, userId, { name });
      emit("users.user.updated", { userId, email: updated.email, name: updated.name, roles: updated.roles });
    }
    await recordEmailChange?.(tx, emit);
    return updated;
  });
}

export async function addAddress(
  deps: ProfileDependencies,
  userId: string,
  input: AddressFields,
): Promise<AddressRecord> {
  const address = validateAddress(input);
  const added = await deps.unitOfWork((tx) => insertAddress(tx, userId, address, maxAddressesPerUser));
  if (!added) {
    throw new ConflictError(
      `You already have ${maxAddressesPerUser} saved addresses, the most an account can keep: remove one to add another.`,
    );
  }
  return added;
}

export async function removeAddress(deps: ProfileDependencies, userId: string, addressId: string): Promise<true> {
  const removed = isUuid(addressId) && (await deps.unitOfWork((tx) => deleteAddress(tx, userId, addressId)));
  if (!removed) throw new NotFoundError("You have no address with this id.");
  return true;
}
