/** An audit-log entry as the tests select it through the router's `auditLog`. */
export interface AuditEntry {
  id: string;
  service: string;
  actorKind: string;
  actorId: string | null;
  actor: { id: string } | null;
  entityType: string;
  entityId: string;
  action: string;
  before: string | null;
  after: string | null;
}
