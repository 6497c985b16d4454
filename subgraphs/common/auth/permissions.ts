import type { Caller } from "./caller";

/**
 * What back-office work is allowed, one permission per kind of data. Staff roles group them; the
 * ADMIN role holds every one. A subgraph checks the permission of the data it owns, next to it.
 */
export const permissions = [
  /** Products, variants, categories, attributes. */
  "CATALOG",
  /** Stock levels, locations, transfers. */
  "INVENTORY",
  /** Orders: reading every order, cancelling, shipping, editing, returns. */
  "ORDERS",
  /** Money back to customers: refunds. */
  "REFUNDS",
  /** Customers' accounts and personal data. */
  "CUSTOMERS",
  /** Shop settings: shipping zones and rates, tax, promotions and discount codes. */
  "SETTINGS",
  /** Notification templates. */
  "TEMPLATES",
  /** Staff roles and API keys. */
  "STAFF",
  /** The audit log and dead letters. */
  "AUDIT",
] as const;

export type Permission = (typeof permissions)[number];

/** Whether the caller does back-office work of any kind (ADMIN, staff roles, an API key with permissions). */
export function isStaff(caller: Caller | null | undefined): boolean {
  return !!caller && (caller.roles.includes("ADMIN") || (caller.permissions?.length ?? 0) > 0);
}

/** Whether the caller may do back-office work of this kind: ADMIN may do all of it. */
export function hasPermission(caller: Caller | null | undefined, permission: Permission): boolean {
  if (!caller) return false;
  if (caller.roles.includes("ADMIN")) return true;
  return caller.permissions?.includes(permission) ?? false;
}
