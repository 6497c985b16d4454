import { z } from "zod";
import { BadUserInputError } from "./errors";

export const defaultPageSize = 20;
export const maxPageSize = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

/**
 * A Relay connection. `totalCount` is a function so the count query runs only when a client
 * selects the field (GraphQL's default resolver calls functions).
 */
export interface Connection<T> {
  totalCount: () => Promise<number>;
  pageInfo: PageInfo;
  edges: Edge<T>[];
}

/** `first` as a page size: 20 when omitted, 1 to 100 otherwise. */
export function pageSize(first: number | null | undefined, field = "first"): number {
  if (first === null || first === undefined) return defaultPageSize;
  if (!Number.isInteger(first) || first < 1 || first > maxPageSize) {
    throw new BadUserInputError(`\`${field}\` must be between 1 and ${maxPageSize}.`, field);
  }
  return first;
}

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

/** Reads a cursor made by `encodeCursor`; anything else is BAD_USER_INPUT on `field`. */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>, field = "after"): T {
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    throw new BadUserInputError("The cursor is not valid: pass a cursor from a previous page.", field);
  }
}

/**
 * Builds a connection from up to `size + 1` rows fetched after the cursor: the extra row only
 * tells whether another page follows.
 */
export function toConnection<T>(
  rows: readonly T[],
  size: number,
  cursorOf: (row: T) => string,
  totalCount: () => Promise<number>,
  hasPreviousPage = false,
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    totalCount,
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** The keyset position used by lists ordered newest first: (createdAt, id), both descending. */
export const newestFirstPosition = z.tuple([z.iso.datetime(), z.uuid()]);

export function newestFirstCursor(row: { createdAt: Date; id: string }): string {
  return encodeCursor([row.createdAt.toISOString(), row.id]);
}

/**
 * Prisma `where` for rows after a newest-first cursor; `undefined` when there is no cursor.
 * Ties on createdAt are broken by id, so no row is skipped or repeated across pages.
 */
export function afterNewestFirst(after: string | null | undefined) {
  if (!after) return undefined;
  const [createdAt, id] = decodeCursor(after, newestFirstPosition);
  const at = new Date(createdAt);
  return { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: id } }] };
}
