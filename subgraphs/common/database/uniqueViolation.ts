/**
 * The columns behind a unique-constraint failure (Prisma P2002, or PostgreSQL's 23505 from SQL
 * run on the pool), or null for any other error. Through the pg driver adapter the constraint
 * arrives as field names or as the index name (`products_sku_key`); both are reduced to what
 * callers compare against: column names.
 */
export function uniqueViolationTarget(error: unknown): string | null {
  const err = error as { code?: string; meta?: Record<string, unknown>; constraint?: string };
  if (err?.code === "23505") return err.constraint ?? "";
  if (err?.code !== "P2002") return null;
  const meta = err.meta ?? {};
  const target = meta.target;
  if (Array.isArray(target)) return target.join(",");
  if (typeof target === "string") return target;
  const cause = (
    meta.driverAdapterError as { cause?: { constraint?: { fields?: string[]; index?: string } } } | undefined
  )?.cause;
  if (cause?.constraint?.fields) return cause.constraint.fields.join(",");
  if (cause?.constraint?.index) return cause.constraint.index;
  return "";
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Whether a unique violation concerns `field` (named as in Prisma or as its column, in the field list or the index name). */
export function violatesUnique(error: unknown, field: string): boolean {
  const target = uniqueViolationTarget(error)?.replace(/"/g, "");
  return target !== null && target !== undefined && (target.includes(field) || target.includes(snakeCase(field)));
}
