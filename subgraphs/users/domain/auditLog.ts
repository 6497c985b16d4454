import { z } from "zod";
import { auditEntityTypes } from "../../common/audit/auditEntry";
import { BadUserInputError } from "../../common/errors";
import { decodeCursor, encodeCursor, pageSize, toConnection, type Connection } from "../../common/pagination";
import type { SqlExecutor } from "../../common/database/prismaOptions";
import { isUuid } from "../../common/validation";
import { countAuditEntries, listAuditEntries, type AuditLogQuery, type AuditLogRow } from "../store/auditLogStore";

const position = z.tuple([z.iso.datetime(), z.uuid()]);

/** Checks a filter of the log: `entityId` needs its `entityType` (the index starts with it), ids are ids. */
export function auditLogQuery(filter: AuditLogQuery | null | undefined): AuditLogQuery {
  const query = {
    entityType: filter?.entityType ?? null,
    entityId: filter?.entityId ?? null,
    actorId: filter?.actorId ?? null,
  };
  if (query.entityType && !(auditEntityTypes as readonly string[]).includes(query.entityType))
    throw new BadUserInputError("Unknown entity type.", "filter.entityType");
  if (query.entityId && !query.entityType)
    throw new BadUserInputError("Give `entityType` with `entityId`.", "filter.entityType");
  if (query.entityId && query.entityId.length > 100)
    throw new BadUserInputError("`entityId` is at most 100 characters.", "filter.entityId");
  if (query.actorId && !isUuid(query.actorId)) throw new BadUserInputError("`actorId` is not an id.", "filter.actorId");
  return query;
}

/** A page of the audit log, newest first. */
export async function auditLogPage(
  db: SqlExecutor,
  filter: AuditLogQuery | null | undefined,
  args: { first?: number | null; after?: string | null },
): Promise<Connection<AuditLogRow>> {
  const query = auditLogQuery(filter);
  const size = pageSize(args.first);
  const after = args.after ? decodeCursor(args.after, position) : null;
  const rows = await listAuditEntries(db, query, size, after ? { occurredAt: new Date(after[0]), id: after[1] } : null);
  return toConnection(
    rows,
    size,
    (row) => encodeCursor([new Date(row.occurredAt).toISOString(), row.id]),
    () => countAuditEntries(db, query),
  );
}
