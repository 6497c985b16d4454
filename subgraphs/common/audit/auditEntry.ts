import { z } from "zod";

/** What kind of thing a back-office change touched; the owning service names it. */
export const auditEntityTypes = [
  "PRODUCT",
  "PRODUCT_VARIANT",
  "CATEGORY",
  "STOCK_LEVEL",
  "STOCK_LOCATION",
  "STOCK_TRANSFER",
  "ORDER",
  "PAYMENT",
  "NOTIFICATION_TEMPLATE",
  "USER",
  "STAFF_ROLE",
  "API_KEY",
  "SETTING",
] as const;
export type AuditEntityType = (typeof auditEntityTypes)[number];

/** Who made a change: a signed-in person, an integration's API key, or the system itself (seeds). */
export const auditActorKinds = ["USER", "API_KEY", "SYSTEM"] as const;
export type AuditActorKind = (typeof auditActorKinds)[number];

/** A JSON value as stored in `before` and `after`. */
export type AuditJson = string | number | boolean | null | AuditJson[] | { [key: string]: AuditJson };

/** One recorded change, as stored and as published to the service that keeps the queryable log. */
export const auditRecordSchema = z.object({
  id: z.uuid(),
  service: z.string().min(1).max(30),
  actorKind: z.enum(auditActorKinds),
  actorId: z.uuid().nullable(),
  entityType: z.enum(auditEntityTypes),
  entityId: z.string().min(1).max(100),
  action: z.string().min(1).max(100),
  before: z.json().nullable(),
  after: z.json().nullable(),
  occurredAt: z.iso.datetime(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;
