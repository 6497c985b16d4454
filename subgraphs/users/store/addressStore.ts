import type { NewAddress } from "../../common/postalAddress";
import type { UsersTx } from "./database";
import type { AddressRecord } from "./records";

/**
 * Adds an address; the first one, or one marked default, becomes the only default. Returns null,
 * adding nothing, when the user already has `max` addresses.
 */
export async function insertAddress(
  tx: UsersTx,
  userId: string,
  address: NewAddress,
  max: number,
): Promise<AddressRecord | null> {
  // Serialises concurrent address changes of one user, so exactly one default remains and the
  // cap holds however many requests race.
  await tx.$queryRawUnsafe("SELECT id FROM users WHERE id = $1::uuid FOR UPDATE", userId);
  const count = await tx.address.count({ where: { userId } });
  if (count >= max) return null;
  const isDefault = address.isDefault || count === 0;
  if (isDefault) await tx.address.updateMany({ where: { userId, isDefault: true }, data: { isDefault: false } });
  return tx.address.create({ data: { ...address, userId, isDefault } });
}

/** Deletes a user's address; when it was the default, the oldest remaining one takes over. */
export async function deleteAddress(tx: UsersTx, userId: string, addressId: string): Promise<boolean> {
  await tx.$queryRawUnsafe("SELECT id FROM users WHERE id = $1::uuid FOR UPDATE", userId);
  const address = await tx.address.findFirst({ where: { id: addressId, userId } });
  if (!address) return false;
  await tx.address.delete({ where: { id: addressId } });
  if (address.isDefault) {
    const next = await tx.address.findFirst({ where: { userId }, orderBy: { createdAt: "asc" } });
    if (next) await tx.address.update({ where: { id: next.id }, data: { isDefault: true } });
  }
  return true;
}
