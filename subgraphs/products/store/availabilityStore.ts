import { sql, statement } from "../../common/database/sqlPool";
import type { SqlExecutor } from "../../common/database/prismaOptions";

/** A variant's availability as a stock event tells it, with the stock level's version. */
export interface AvailabilityFact {
  variantId: string;
  available: number;
  version: number;
}

// Newer versions win, so a late or repeated fact changes nothing; a variant this service does
// not know (deleted meanwhile) is skipped.
const recordAvailabilityStatement = statement(
  "products.availability.record",
  `INSERT INTO variant_availability (variant_id, product_id, available, version, updated_at)
   SELECT v.id, v.product_id, f.available, f.version, now()
     FROM unnest($1::uuid[], $2::int[], $3::int8[]) AS f(variant_id, available, version)
          -- A look-up by key per fact, whatever the plan's guess of the facts' number.
          CROSS JOIN LATERAL (SELECT id, product_id FROM product_variants WHERE id = f.variant_id) v
   ON CONFLICT (variant_id) DO UPDATE
      SET available = EXCLUDED.available, version = EXCLUDED.version, updated_at = now()
    WHERE variant_availability.version < EXCLUDED.version`,
);

/**
 * Records variants' availability in the read model, in one named statement however many facts:
 * of several facts about one variant only the newest is written (one statement cannot change a
 * row twice), and a fact no newer than the row's version changes nothing.
 */
export async function recordAvailability(db: SqlExecutor, facts: readonly AvailabilityFact[]): Promise<void> {
  const newest = new Map<string, AvailabilityFact>();
  for (const fact of facts) {
    const key = fact.variantId.toLowerCase();
    const seen = newest.get(key);
    if (!seen || seen.version < fact.version) newest.set(key, fact);
  }
  if (newest.size === 0) return;
  const rows = [...newest.values()];
  await sql(db, recordAvailabilityStatement, [
    rows.map((row) => row.variantId),
    rows.map((row) => row.available),
    rows.map((row) => String(row.version)),
  ]);
}
