import type { Permission } from "../../common/auth/permissions";
import { afterNewestFirst } from "../../common/pagination";
import type { UsersReader, UsersTx } from "./database";
import type { ApiKeyRecord } from "./staffStore";

export function insertApiKey(
  tx: UsersTx,
  key: {
    id: string;
    name: string;
    permissions: Permission[];
    secretHash: string;
    requestsPerMinute: number;
    createdById: string;
  },
): Promise<ApiKeyRecord> {
  return tx.apiKey.create({ data: key });
}

export function findApiKey(db: UsersReader, id: string): Promise<ApiKeyRecord | null> {
  return db.apiKey.findUnique({ where: { id } });
}

/** Revokes a key that still works; null when it was already revoked. */
export async function markApiKeyRevoked(tx: UsersTx, id: string, revokedById: string): Promise<ApiKeyRecord | null> {
  const { count } = await tx.apiKey.updateMany({
    where: { id, revokedAt: null },
    data: { revokedAt: new Date(), revokedById },
  });
  return count > 0 ? tx.apiKey.findUnique({ where: { id } }) : null;
}

export function countActiveApiKeys(db: UsersReader): Promise<number> {
  return db.apiKey.count({ where: { revokedAt: null } });
}

/** Every key that works, for publishing them all again; bounded by the cap on active keys. */
export function listActiveApiKeys(db: UsersReader): Promise<ApiKeyRecord[]> {
  return db.apiKey.findMany({ where: { revokedAt: null } });
}

/** Which of these keys are revoked. */
export async function revokedAmong(db: UsersReader, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.apiKey.findMany({
    where: { id: { in: [...ids] }, revokedAt: { not: null } },
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

export interface ApiKeyQuery {
  includeRevoked: boolean;
  size: number;
  after?: string | null;
}

export function listApiKeys(db: UsersReader, query: ApiKeyQuery): Promise<ApiKeyRecord[]> {
  return db.apiKey.findMany({
    where: { ...(query.includeRevoked ? {} : { revokedAt: null }), ...afterNewestFirst(query.after) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.size + 1,
  });
}

export function countApiKeys(db: UsersReader, query: Pick<ApiKeyQuery, "includeRevoked">): Promise<number> {
  return db.apiKey.count({ where: query.includeRevoked ? {} : { revokedAt: null } });
}
