import { maxExportRecords } from "../../common/privacy/privacyParts";
import type { UsersReader } from "../store/database";
import { findPrivacyRequestsOfUser, findUserWithEverything } from "../store/privacyStore";

/**
 * The users service's part of an export: the account, its addresses, devices, linked identities,
 * sessions and privacy requests. Secrets (password hash, token hashes, push tokens) are not data
 * about the person and stay out.
 */
export async function exportOfUser(db: UsersReader, userId: string): Promise<Record<string, unknown>> {
  const user = await findUserWithEverything(db, userId, maxExportRecords);
  if (!user) return {};
  const requests = await findPrivacyRequestsOfUser(db, userId, maxExportRecords);
  return {
    account: {
      id: user.id,
      email: user.email,
      name: user.name,
      roles: user.roles,
      emailVerifiedAt: user.emailVerifiedAt,
      phoneNumber: user.phoneNumber,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    },
    addresses: user.addresses.map((address) => ({
      label: address.label,
      line1: address.line1,
      line2: address.line2,
      city: address.city,
      region: address.region,
      postalCode: address.postalCode,
      country: address.country,
      isDefault: address.isDefault,
      createdAt: address.createdAt,
    })),
    pushDevices: user.pushDevices.map((device) => ({
      platform: device.platform,
      label: device.label,
      tokenHint: device.token.slice(-4),
      createdAt: device.createdAt,
      lastRegisteredAt: device.lastRegisteredAt,
    })),
    linkedIdentities: user.identities.map((identity) => ({
      provider: identity.provider,
      email: identity.email,
      linkedAt: identity.createdAt,
      lastSignInAt: identity.lastSignInAt,
    })),
    sessions: user.sessions.map((session) => ({
      createdAt: session.createdAt,
      lastRefreshAt: session.lastRefreshAt,
      expiresAt: session.expiresAt,
      revokedAt: session.revokedAt,
    })),
    privacyRequests: requests.map((request) => ({
      id: request.id,
      kind: request.kind,
      status: request.status,
      createdAt: request.createdAt,
      completedAt: request.completedAt,
    })),
  };
}
