import { randomUUID } from "node:crypto";
import { apiKeyPrefix, newApiKey, type ApiKeyRegistry, type PublishedApiKey } from "../../common/auth/apiKeys";
import type { Caller } from "../../common/auth/caller";
import type { Permission } from "../../common/auth/permissions";
import { ConflictError, NotFoundError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import { boundedInt, isUuid, requiredText } from "../../common/validation";
import {
  countActiveApiKeys,
  findApiKey,
  insertApiKey,
  listActiveApiKeys,
  markApiKeyRevoked,
  revokedAmong,
} from "../store/apiKeyStore";
import type { UsersReader, UsersTx } from "../store/database";
import type { ApiKeyRecord } from "../store/staffStore";
import { apiKeyAuditView, auditStaffChange } from "./staffAudit";
import { grantablePermissions } from "./staffGrants";

/** A new key's record and, this once, the key itself. */
export interface CreatedApiKey {
  apiKey: ApiKeyRecord;
  key: string;
}

/** Keys that work at once; each is checked on every request, so the set stays small. */
export const maxActiveApiKeys = 200;

export interface ApiKeyDependencies {
  unitOfWork: UnitOfWork<UsersTx>;
  registry: ApiKeyRegistry;
  /** A new key's request budget a minute when its creator does not choose one. */
  defaultRequestsPerMinute: number;
}

function published(record: ApiKeyRecord): PublishedApiKey {
  return {
    id: record.id,
    secretHash: record.secretHash,
    permissions: record.permissions,
    requestsPerMinute: record.requestsPerMinute,
  };
}

/** What identifies a key to a person without its secret. */
export function keyPrefixOf(record: Pick<ApiKeyRecord, "id">): string {
  return `${apiKeyPrefix}${record.id.replaceAll("-", "")}`;
}

/**
 * Creates a key with permissions the caller holds. The whole key is returned this once; the
 * database keeps only the SHA-256 of its secret, and the record is published to Redis (for every
 * service to verify) before the commit, so a failure there creates nothing.
 */
export async function createApiKey(
  deps: ApiKeyDependencies,
  caller: Caller,
  input: { name: string; permissions: readonly Permission[]; requestsPerMinute?: number | null },
): Promise<CreatedApiKey> {
  const name = requiredText(input.name, "name", { max: 60 });
  const permissions = grantablePermissions(caller, input.permissions, "permissions");
  const requestsPerMinute = boundedInt(input.requestsPerMinute ?? deps.defaultRequestsPerMinute, "requestsPerMinute", {
    min: 1,
    max: 10_000,
  });
  const id = randomUUID();
  const { key, secretHash } = newApiKey(id);
  const apiKey = await deps.unitOfWork(async (tx, emit) => {
    if ((await countActiveApiKeys(tx)) >= maxActiveApiKeys)
      throw new ConflictError(`There are already ${maxActiveApiKeys} working API keys: revoke one first.`);
    const record = await insertApiKey(tx, {
      id,
      name,
      permissions,
      secretHash,
      requestsPerMinute,
      createdById: caller.userId,
    });
    emit("users.api_key.created", { apiKeyId: id, name, permissions, requestsPerMinute, createdById: caller.userId });
    await auditStaffChange(tx, emit, caller, {
      entityType: "API_KEY",
      entityId: id,
      action: "api_key.created",
      before: null,
      after: apiKeyAuditView(record),
    });
    await deps.registry.publish([published(record)]);
    return record;
  });
  return { apiKey, key };
}

/**
 * Revokes a key: withdrawn from Redis before the commit, so it fails everywhere from the next
 * request on (a failure after that only leaves it revoked early: the safe side), and once more
 * after the commit, in case a replica starting meanwhile published it again.
 */
export async function revokeApiKey(deps: ApiKeyDependencies, caller: Caller, id: string): Promise<ApiKeyRecord> {
  const revoked = await deps.unitOfWork(async (tx, emit) => {
    const existing = isUuid(id) ? await findApiKey(tx, id) : null;
    if (!existing) throw new NotFoundError("No API key has this id.");
    if (existing.revokedAt) return existing;
    const revoked = await markApiKeyRevoked(tx, id, caller.userId);
    if (!revoked) return (await findApiKey(tx, id))!;
    emit("users.api_key.revoked", { apiKeyId: id, revokedById: caller.userId });
    await auditStaffChange(tx, emit, caller, {
      entityType: "API_KEY",
      entityId: id,
      action: "api_key.revoked",
      before: apiKeyAuditView(existing),
      after: apiKeyAuditView(revoked),
    });
    await deps.registry.withdraw([id]);
    return revoked;
  });
  await deps.registry.withdraw([revoked.id]);
  return revoked;
}

/**
 * Publishes every working key again (at start: Redis may have lost them), then withdraws any of
 * them revoked meanwhile, which `revokeApiKey`'s own withdrawal after its commit may have missed.
 */
export async function republishApiKeys(deps: Pick<ApiKeyDependencies, "registry">, db: UsersReader): Promise<number> {
  const active = await listActiveApiKeys(db);
  await deps.registry.publish(active.map(published));
  await deps.registry.withdraw(
    await revokedAmong(
      db,
      active.map((key) => key.id),
    ),
  );
  return active.length;
}
