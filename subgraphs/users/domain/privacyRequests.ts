import { uniqueViolationTarget } from "../../common/database/uniqueViolation";
import { BadUserInputError, ConflictError, NotFoundError, UnauthenticatedError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import { boundedExportPart } from "../../common/privacy/privacyParts";
import { serviceNames } from "../../common/serviceNames";
import { isUuid } from "../../common/validation";
import type { PrivacyRequestKind } from "../generated/prisma/client";
import type { UsersTx } from "../store/database";
import {
  completePrivacyRequest,
  eraseUserRecords,
  findPrivacyRequest,
  insertPrivacyPart,
  insertPrivacyRequest,
  lockPrivacyRequest,
  type PrivacyRequestRecord,
} from "../store/privacyStore";
import { revokeAllSessions } from "../store/sessionStore";
import type { WindowLimit, WindowLimiter } from "../../common/windowLimiter";
import type { IdentityDependencies } from "./identity";
import { exportOfUser } from "./privacyExport";

export interface PrivacyDependencies extends Pick<IdentityDependencies, "passwords" | "throttle" | "revocations"> {
  unitOfWork: UnitOfWork<UsersTx>;
  limiter: WindowLimiter;
  /** Requests per user and kind within a window (besides one open at a time). */
  perUser: Omit<WindowLimit, "name">;
  /** How long access tokens live: revoked sessions are remembered that long. */
  accessTokenTtlSeconds: number;
}

/** What the users service does at once for an answer of another service, and when a request completes. */
export interface PrivacyAnswerSettings {
  exportTtlHours: number;
}

/** Services that answer every request; the request completes when all have. */
export const answeringServices = serviceNames;

async function takeRequestAllowance(deps: PrivacyDependencies, userId: string, kind: PrivacyRequestKind) {
  await deps.limiter.take(
    { name: `privacy-requests:${kind.toLowerCase()}`, ...deps.perUser },
    userId,
    "Too many privacy requests for this account.",
  );
}

/**
 * Opens a request and writes the users service's own answer in the same transaction; the event
 * asks every other service for theirs. A second open request of the kind is CONFLICT.
 */
async function openRequest(
  tx: UsersTx,
  request: { userId: string; kind: PrivacyRequestKind; requestedBy: string },
): Promise<string> {
  try {
    // The partial unique index on open requests decides, also between two concurrent requests.
    return (await insertPrivacyRequest(tx, request)).id;
  } catch (error) {
    if (uniqueViolationTarget(error) !== null) {
      throw new ConflictError(
        request.kind === "EXPORT"
          ? "An export of this account's data is already under way."
          : "An erasure of this account is already under way.",
      );
    }
    throw error;
  }
}

/** The signed-in user asks for a copy of everything held about them. */
export async function exportMyData(deps: PrivacyDependencies, userId: string): Promise<PrivacyRequestRecord> {
  await takeRequestAllowance(deps, userId, "EXPORT");
  const id = await deps.unitOfWork(async (tx, emit) => {
    const requestId = await openRequest(tx, { userId, kind: "EXPORT", requestedBy: userId });
    const data = boundedExportPart(await exportOfUser(tx, userId));
    await insertPrivacyPart(tx, { requestId, service: "users", counts: countsOfExport(data), data: data as never });
    emit("users.privacy.export_requested", { requestId, userId });
    return requestId;
  });
  return (await deps.unitOfWork((tx) => findPrivacyRequest(tx, id))) ?? missing();
}

function missing(): never {
  throw new NotFoundError("No privacy request has this id.");
}

/** The records of each list in an export part, for the report. */
export function countsOfExport(data: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(data)
      .filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]) && entry[0] !== "truncated")
      .map(([name, list]) => [name, list.length]),
  );
}

/**
 * Erases a person: their users records at once (the row anonymised, every session revoked, so no
 * one signs in to it again), and every other service's through the event. Irreversible.
 */
async function erase(deps: PrivacyDependencies, userId: string, requestedBy: string): Promise<string> {
  return deps.unitOfWork(async (tx, emit) => {
    const requestId = await openRequest(tx, { userId, kind: "ERASURE", requestedBy });
    const revoked = await revokeAllSessions(tx, userId, "LOGOUT");
    const counts = await eraseUserRecords(tx, userId);
    await insertPrivacyPart(tx, { requestId, service: "users", counts, data: null });
    emit("users.privacy.erasure_requested", { requestId, userId });
    // In Redis before the commit (as every revocation): a failure rolls the erasure back.
    await deps.revocations.revoke(revoked, deps.accessTokenTtlSeconds);
    return requestId;
  });
}

/** Staff accounts are not erased this way (their roles first go), nor an account twice. */
function checkErasable(user: { roles: string[]; erasedAt: Date | null } | null): void {
  if (!user) throw new NotFoundError("No user has this id.", "userId");
  if (user.erasedAt) throw new ConflictError("This account has already been erased.");
  if (user.roles.includes("ADMIN"))
    throw new ConflictError("A staff account cannot be erased; remove its ADMIN role first.");
}

/**
 * The signed-in user deletes their account, proving it with their password (a wrong one counts
 * against the sign-in limits, like a failed login).
 */
export async function deleteMyAccount(
  deps: PrivacyDependencies,
  userId: string,
  password: string,
  clientAddress: string,
): Promise<PrivacyRequestRecord> {
  if (typeof password !== "string" || password.length === 0 || password.length > 1024)
    throw new BadUserInputError("Give your current password.", "password");
  const user = await deps.unitOfWork((tx) => tx.user.findUnique({ where: { id: userId } }));
  if (!user || user.erasedAt) throw new UnauthenticatedError("Your account no longer exists.");
  if (!user.passwordHash)
    throw new BadUserInputError("This account has no password: set one with a password reset first.", "password");
  await deps.throttle.reserve(user.email, clientAddress);
  if (!(await deps.passwords.verify(password, user.passwordHash)))
    throw new BadUserInputError("The password is not correct.", "password");
  await deps.throttle.recordSuccess(user.email, clientAddress);
  checkErasable(user);
  await takeRequestAllowance(deps, userId, "ERASURE");
  const id = await erase(deps, userId, userId);
  return (await deps.unitOfWork((tx) => findPrivacyRequest(tx, id))) ?? missing();
}

/** An operator with the CUSTOMERS permission erases a customer (a request received by other means). */
export async function eraseCustomer(
  deps: PrivacyDependencies,
  operatorId: string,
  userId: string,
): Promise<PrivacyRequestRecord> {
  const user = isUuid(userId) ? await deps.unitOfWork((tx) => tx.user.findUnique({ where: { id: userId } })) : null;
  checkErasable(user);
  await takeRequestAllowance(deps, userId, "ERASURE");
  const id = await erase(deps, userId, operatorId);
  return (await deps.unitOfWork((tx) => findPrivacyRequest(tx, id))) ?? missing();
}

/**
 * Another service's answer: recorded once (a repeat, or an answer to a request of the other kind,
 * changes nothing); the request completes with the last of them. An export answered after the
 * person was erased keeps no data.
 */
export async function recordPrivacyAnswer(
  tx: UsersTx,
  settings: PrivacyAnswerSettings,
  answer: {
    requestId: string;
    kind: PrivacyRequestKind;
    service: string;
    counts?: Record<string, number>;
    data?: Record<string, unknown>;
  },
): Promise<void> {
  const request = await lockPrivacyRequest(tx, answer.requestId);
  if (!request || request.kind !== answer.kind) return;
  const data = answer.data && !request.userErased ? answer.data : null;
  const answered = await insertPrivacyPart(tx, {
    requestId: answer.requestId,
    service: answer.service,
    counts: answer.counts ?? (answer.data ? countsOfExport(answer.data) : {}),
    data: data as never,
  });
  if (request.status === "PENDING" && answered >= answeringServices.length) {
    const expiresAt = answer.kind === "EXPORT" ? new Date(Date.now() + settings.exportTtlHours * 60 * 60 * 1000) : null;
    await completePrivacyRequest(tx, answer.requestId, expiresAt);
  }
}
