import type { UsersReader } from "./database";

export interface CustomerSearchRow {
  id: string;
  createdAt: Date;
}

/**
 * Users whose email or name contains the pattern (ILIKE), newest first, after a keyset position.
 * Both columns have a trigram GIN index (`users_email_trgm_idx`, `users_name_trgm_idx`), so the
 * match is a bitmap scan of the two whatever the table's size; the page is then the newest few.
 */
export function searchCustomers(
  db: UsersReader,
  pattern: string,
  size: number,
  after: { createdAt: Date; id: string } | null,
): Promise<CustomerSearchRow[]> {
  return db.$queryRawUnsafe<CustomerSearchRow[]>(
    `SELECT id::text AS id, created_at AS "createdAt" FROM users
      WHERE (email ILIKE $1 OR name ILIKE $1)
        AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $4`,
    pattern,
    after?.createdAt ?? null,
    after?.id ?? null,
    size + 1,
  );
}

export async function countCustomers(db: UsersReader, pattern: string): Promise<number> {
  const [row] = await db.$queryRawUnsafe<Array<{ count: bigint }>>(
    "SELECT count(*) AS count FROM users WHERE email ILIKE $1 OR name ILIKE $1",
    pattern,
  );
  return Number(row?.count ?? 0);
}
