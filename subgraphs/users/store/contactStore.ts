import type { PushDevice, PushPlatform } from "../generated/prisma/client";
import type { UsersReader, UsersTx } from "./database";

export type PushDeviceRecord = PushDevice;

/** Locks a user's row until the transaction ends, so changes to their contact channels happen one at a time. */
export async function lockUser(tx: UsersTx, userId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<
    Array<{ id: string }>
  >`SELECT id::text FROM users WHERE id = ${userId}::uuid FOR UPDATE`;
  return rows.length === 1;
}

/** Push devices of many users, each user's most recently registered first, in one statement. */
export function findPushDevicesOfUsers(db: UsersReader, userIds: readonly string[]): Promise<PushDeviceRecord[]> {
  return db.pushDevice.findMany({
    where: { userId: { in: [...userIds] } },
    orderBy: [{ lastRegisteredAt: "desc" }, { id: "asc" }],
  });
}

/**
 * Registers a token for `userId`: a known token is updated and moves to this user (a device is
 * signed in to one account at a time). Returns the device and the user it belonged to before, if
 * another.
 */
export async function upsertPushDevice(
  tx: UsersTx,
  userId: string,
  device: { token: string; platform: PushPlatform; label: string | null },
): Promise<{ device: PushDeviceRecord; previousOwner: string | null }> {
  const known = await tx.pushDevice.findUnique({ where: { token: device.token } });
  const now = new Date();
  if (!known) {
    return {
      device: await tx.pushDevice.create({ data: { ...device, userId, lastRegisteredAt: now } }),
      previousOwner: null,
    };
  }
  const updated = await tx.pushDevice.update({
    where: { id: known.id },
    data: { userId, platform: device.platform, label: device.label, lastRegisteredAt: now },
  });
  return { device: updated, previousOwner: known.userId === userId ? null : known.userId };
}

/** Forgets a user's devices beyond the `keep` most recently registered. */
export async function trimPushDevices(tx: UsersTx, userId: string, keep: number): Promise<void> {
  await tx.$executeRaw`
    DELETE FROM push_devices WHERE user_id = ${userId}::uuid AND id NOT IN (
      SELECT id FROM push_devices WHERE user_id = ${userId}::uuid ORDER BY last_registered_at DESC, id ASC LIMIT ${keep})`;
}

export async function deletePushDevice(tx: UsersTx, userId: string, deviceId: string): Promise<boolean> {
  const { count } = await tx.pushDevice.deleteMany({ where: { id: deviceId, userId } });
  return count === 1;
}

/** A new texted code for the user's number; every earlier unused one stops working. */
export async function replacePhoneCode(
  tx: UsersTx,
  code: { userId: string; phoneNumber: string; codeHash: string; expiresAt: Date },
): Promise<void> {
  await tx.phoneVerificationCode.updateMany({
    where: { userId: code.userId, usedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  await tx.phoneVerificationCode.create({ data: code });
}

/** The user's code still in play (unused, not replaced, unexpired), if any. */
export function findActivePhoneCode(tx: UsersTx, userId: string) {
  return tx.phoneVerificationCode.findFirst({
    where: { userId, usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
  });
}

export async function usePhoneCode(tx: UsersTx, id: string): Promise<void> {
  await tx.phoneVerificationCode.update({ where: { id }, data: { usedAt: new Date() } });
}

/** Counts a wrong try; the code stops working at `maxTries`. */
export async function failPhoneCode(tx: UsersTx, id: string, failedTries: number, maxTries: number): Promise<void> {
  await tx.phoneVerificationCode.update({
    where: { id },
    data: { failedTries, ...(failedTries >= maxTries ? { revokedAt: new Date() } : {}) },
  });
}
