import { auditEventOf } from "../../common/audit/auditEvents";
import { insertAuditRecord } from "../../common/audit/auditStore";
import { onEvent } from "../../common/events/eventConsumer";
import type { UsersTx } from "../store/database";

/**
 * The users service keeps the one audit log the back office queries: every other service
 * publishes the entries it records (in the transaction of each change), and they are copied here
 * with their own ids, so a redelivered event inserts nothing (one idempotent statement).
 */
export const auditLogHandlers = [
  onEvent<UsersTx, typeof auditEventOf.products>(
    auditEventOf.products,
    (event, tx) => insertAuditRecord(tx, event.data),
    {
      idempotentByVersion: true,
    },
  ),
  onEvent<UsersTx, typeof auditEventOf.inventory>(
    auditEventOf.inventory,
    (event, tx) => insertAuditRecord(tx, event.data),
    { idempotentByVersion: true },
  ),
  onEvent<UsersTx, typeof auditEventOf.orders>(auditEventOf.orders, (event, tx) => insertAuditRecord(tx, event.data), {
    idempotentByVersion: true,
  }),
  onEvent<UsersTx, typeof auditEventOf.payments>(
    auditEventOf.payments,
    (event, tx) => insertAuditRecord(tx, event.data),
    {
      idempotentByVersion: true,
    },
  ),
  onEvent<UsersTx, typeof auditEventOf.notifications>(
    auditEventOf.notifications,
    (event, tx) => insertAuditRecord(tx, event.data),
    { idempotentByVersion: true },
  ),
];
