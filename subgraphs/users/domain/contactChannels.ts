import { randomInt, timingSafeEqual } from "node:crypto";
import { BadUserInputError, NotFoundError, UnauthenticatedError } from "../../common/errors";
import type { Emit } from "../../common/events/unitOfWork";
import { isUuid, optionalText } from "../../common/validation";
import type { PushPlatform } from "../generated/prisma/client";
import type { UsersTx } from "../store/database";
import {
  deletePushDevice,
  failPhoneCode,
  findActivePhoneCode,
  findPushDevicesOfUsers,
  lockUser,
  replacePhoneCode,
  trimPushDevices,
  upsertPushDevice,
  usePhoneCode,
  type PushDeviceRecord,
} from "../store/contactStore";
import type { UserRecord } from "../store/records";
import { findUsersByIds, updateUser } from "../store/userStore";
import type { WindowLimit, WindowLimiter } from "../../common/windowLimiter";
import type { IdentityDependencies } from "./identity";
import { linkLifetimeMs } from "./links";
import { phoneNumber } from "./phoneNumber";
import { tokenHash } from "./secrets";

export interface ContactChannelDependencies extends IdentityDependencies {
  limiter: WindowLimiter;
  phoneCodeLimits: { perUser: WindowLimit; perNumber: WindowLimit };
}

/** The most push devices one user keeps; registering another forgets the one registered longest ago. */
export const maxPushDevicesPerUser = 10;
/** Wrong codes before a texted code stops working. */
export const maxPhoneCodeTries = 5;

/**
 * Tells the other services where the user's texts and pushes go now, all of it, so a consumer
 * that missed or reordered events still ends with the latest whole picture.
 */
async function announceContactChannels(tx: UsersTx, emit: Emit, userId: string): Promise<void> {
  const [user] = await findUsersByIds(tx, [userId]);
  if (!user) return;
  const devices = await findPushDevicesOfUsers(tx, [userId]);
  emit("users.contact_channels.changed", {
    userId,
    phoneNumber: user.phoneNumber,
    pushDevices: devices.map((device) => ({ deviceId: device.id, token: device.token, platform: device.platform })),
  });
}

async function currentUser(deps: IdentityDependencies, userId: string): Promise<UserRecord> {
  const [user] = await deps.unitOfWork((tx) => findUsersByIds(tx, [userId]));
  if (!user) throw new UnauthenticatedError("Your account no longer exists.");
  return user;
}

const codeHash = (userId: string, code: string) => tokenHash(`${userId}:${code}`);

/**
 * Texts a 6-digit code to `rawNumber` (through `users.phone_verification.requested`, the code
 * sealed); the number becomes the user's when the code comes back. A number is only ever the
 * user's once they proved they receive texts there, so no one can send texts to someone else's.
 */
export async function requestPhoneNumberChange(
  deps: ContactChannelDependencies,
  userId: string,
  rawNumber: string,
): Promise<true> {
  const number = phoneNumber(rawNumber);
  const user = await currentUser(deps, userId);
  if (user.phoneNumber === number) throw new BadUserInputError("This is already your mobile number.", "phoneNumber");
  await deps.limiter.take(deps.phoneCodeLimits.perUser, userId, "Too many confirmation codes asked for.");
  await deps.limiter.take(deps.phoneCodeLimits.perNumber, number, "Too many confirmation codes sent to this number.");
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const expiresAt = new Date(Date.now() + linkLifetimeMs.VERIFY_PHONE);
  await deps.unitOfWork(async (tx, emit) => {
    await replacePhoneCode(tx, { userId, phoneNumber: number, codeHash: codeHash(userId, code), expiresAt });
    emit("users.phone_verification.requested", {
      userId,
      name: user.name,
      phoneNumber: number,
      code: {
        sealed: deps.sealer.seal({ purpose: "VERIFY_PHONE", userId, token: code, expiresAt }),
        expiresAt: expiresAt.toISOString(),
      },
    });
  });
  return true;
}

type CodeOutcome = { kind: "confirmed"; user: UserRecord } | { kind: "wrong" } | { kind: "none" };

/** Makes the number of the user's code theirs, when `code` is right; a wrong one counts against the code. */
export async function confirmPhoneNumber(
  deps: ContactChannelDependencies,
  userId: string,
  code: string,
): Promise<UserRecord> {
  const outcome = await deps.unitOfWork(async (tx, emit): Promise<CodeOutcome> => {
    if (!(await lockUser(tx, userId))) return { kind: "none" };
    const active = await findActivePhoneCode(tx, userId);
    if (!active) return { kind: "none" };
    const given = Buffer.from(codeHash(userId, code.trim()));
    if (given.length !== active.codeHash.length || !timingSafeEqual(given, Buffer.from(active.codeHash))) {
      await failPhoneCode(tx, active.id, active.failedTries + 1, maxPhoneCodeTries);
      return { kind: "wrong" };
    }
    await usePhoneCode(tx, active.id);
    const user = await updateUser(tx, userId, { phoneNumber: active.phoneNumber });
    await announceContactChannels(tx, emit, userId);
    return { kind: "confirmed", user };
  });
  if (outcome.kind !== "confirmed") {
    throw new BadUserInputError(
      outcome.kind === "wrong"
        ? "This code is not right. Check the text message and try again."
        : "There is no code to confirm: it was used, replaced, expired or tried too often. Ask for a new one.",
      "code",
    );
  }
  return outcome.user;
}

export async function removePhoneNumber(deps: ContactChannelDependencies, userId: string): Promise<UserRecord> {
  return deps.unitOfWork(async (tx, emit) => {
    if (!(await lockUser(tx, userId))) throw new UnauthenticatedError("Your account no longer exists.");
    const user = await updateUser(tx, userId, { phoneNumber: null });
    await announceContactChannels(tx, emit, userId);
    return user;
  });
}

const pushTokenPattern = /^[\x21-\x7e]{16,4096}$/;

/** Registers (or refreshes) a push device of the user, keeping at most `maxPushDevicesPerUser`. */
export async function registerPushDevice(
  deps: ContactChannelDependencies,
  userId: string,
  input: { token: string; platform: PushPlatform; label?: string | null },
): Promise<PushDeviceRecord> {
  const token = input.token.trim();
  if (!pushTokenPattern.test(token)) {
    throw new BadUserInputError("The push token must be 16 to 4096 printable characters, without spaces.", "token");
  }
  const label = optionalText(input.label, "label", 50);
  return deps.unitOfWork(async (tx, emit) => {
    if (!(await lockUser(tx, userId))) throw new UnauthenticatedError("Your account no longer exists.");
    const { device, previousOwner } = await upsertPushDevice(tx, userId, { token, platform: input.platform, label });
    await trimPushDevices(tx, userId, maxPushDevicesPerUser);
    await announceContactChannels(tx, emit, userId);
    // The device left its previous account: that account's pushes stop going to it.
    if (previousOwner) await announceContactChannels(tx, emit, previousOwner);
    return device;
  });
}

export async function removePushDevice(
  deps: ContactChannelDependencies,
  userId: string,
  deviceId: string,
): Promise<true> {
  const removed =
    isUuid(deviceId) &&
    (await deps.unitOfWork(async (tx, emit) => {
      if (!(await lockUser(tx, userId))) return false;
      if (!(await deletePushDevice(tx, userId, deviceId))) return false;
      await announceContactChannels(tx, emit, userId);
      return true;
    }));
  if (!removed) throw new NotFoundError("You have no push device with this id.");
  return true;
}
