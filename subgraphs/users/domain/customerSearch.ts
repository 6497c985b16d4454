import { containsPattern } from "../../common/likePattern";
import {
  decodeCursor,
  newestFirstCursor,
  newestFirstPosition,
  pageSize,
  toConnection,
  type Connection,
} from "../../common/pagination";
import { requiredText } from "../../common/validation";
import type { User } from "../generated/prisma/client";
import type { UsersReader } from "../store/database";
import { countCustomers, searchCustomers } from "../store/customerSearch";

/**
 * Back-office search of customers by part of their email or name, newest account first. Three
 * characters at least: a trigram index cannot narrow a shorter text.
 */
export async function customerSearchPage(
  db: UsersReader,
  args: { query: string; first?: number | null; after?: string | null },
): Promise<Connection<User>> {
  const text = requiredText(args.query, "query", { min: 3, max: 100 });
  const size = pageSize(args.first);
  const position = args.after ? decodeCursor(args.after, newestFirstPosition) : null;
  const pattern = containsPattern(text);
  const rows = await searchCustomers(
    db,
    pattern,
    size,
    position ? { createdAt: new Date(position[0]), id: position[1] } : null,
  );
  const users = await db.user.findMany({ where: { id: { in: rows.map((row) => row.id) } } });
  const byId = new Map(users.map((user) => [user.id, user]));
  const found = rows.flatMap((row) => byId.get(row.id) ?? []);
  return toConnection(found, size, newestFirstCursor, () => countCustomers(db, pattern));
}
