import type { NewAddress } from "../../common/postalAddress";
import type { UsersTx } from "./database";
import type { AddressRecord } from "./records";

/** Adds an address; the first one, or one marked default, becomes the only default. */
export async function insertAddress(tx: UsersTx, userId: string, address: NewAddress): Promise<AddressRecord> {
  // Serialises concurrent address changes of one user, so exactly one default remains.
  await tx.$queryRawUnsafe("SELECT id FROM users WHERE id = $1::uuid FOR UPDATE", userId);
  const count = await tx.address.count({ where: { userId } });
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
