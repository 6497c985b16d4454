import { violatesUnique } from "../../common/database/uniqueViolation";
import { ConflictError, NotFoundError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import { validateAddress, type AddressFields } from "../../common/postalAddress";
import { isUuid } from "../../common/validation";
import type { UsersTx } from "../store/database";
import { deleteAddress, insertAddress } from "../store/addressStore";
import type { AddressRecord, UserRecord } from "../store/records";
import { updateUser } from "../store/userStore";
import { email as validEmail, personName } from "./inputs";

export interface ProfileDependencies {
  unitOfWork: UnitOfWork<UsersTx>;
}

export async function updateProfile(
  deps: ProfileDependencies,
  userId: string,
  input: { name?: string | null; email?: string | null },
): Promise<UserRecord> {
  const changes = {
    ...(input.name !== null && input.name !== undefined ? { name: personName(input.name) } : {}),
    ...(input.email !== null && input.email !== undefined ? { email: validEmail(input.email) } : {}),
  };
  try {
    return await deps.unitOfWork(async (tx, emit) => {
      const user = await updateUser(tx, userId, changes);
      emit("users.user.updated", { userId: user.id, email: user.email, name: user.name, roles: user.roles });
      return user;
    });
  } catch (error) {
    if (violatesUnique(error, "email")) throw new ConflictError("Another account already uses this email.", "email");
    throw error;
  }
}

export function addAddress(deps: ProfileDependencies, userId: string, input: AddressFields): Promise<AddressRecord> {
  const address = validateAddress(input);
  return deps.unitOfWork((tx) => insertAddress(tx, userId, address));
}

export async function removeAddress(deps: ProfileDependencies, userId: string, addressId: string): Promise<true> {
  const removed = isUuid(addressId) && (await deps.unitOfWork((tx) => deleteAddress(tx, userId, addressId)));
  if (!removed) throw new NotFoundError("You have no address with this id.");
  return true;
}
