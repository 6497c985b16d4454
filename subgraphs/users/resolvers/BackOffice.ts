import { requirePermission } from "../../common/auth/guards";
import { auditLogPage } from "../domain/auditLog";
import { customerSearchPage } from "../domain/customerSearch";
import type { AuditEntryResolvers, QueryResolvers } from "../generated/graphql";

/** Back-office reads the users service answers: the audit log of every service, and customer search. */
export const backOfficeQuery: Pick<QueryResolvers, "auditLog" | "customerSearch"> = {
  auditLog: (_parent, { filter, first, after }, { caller, db }) => (
    requirePermission(caller, "AUDIT"),
    auditLogPage(db, filter, { first, after })
  ),
  customerSearch: (_parent, args, { caller, db }) => (
    requirePermission(caller, "CUSTOMERS"),
    customerSearchPage(db, args)
  ),
};

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

export const AuditEntry: AuditEntryResolvers = {
  actor: (entry, _args, { loaders }) =>
    entry.actorKind === "USER" && entry.actorId ? loaders.userById.load(entry.actorId) : null,
  before: (entry) => json(entry.before),
  after: (entry) => json(entry.after),
};
