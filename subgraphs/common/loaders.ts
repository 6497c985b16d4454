import DataLoader from "dataloader";

/**
 * A per-request DataLoader that fetches many rows by key in one query and hands each caller its
 * row (or null). Entity references from the gateway arrive as a list, so this turns N lookups
 * into one `WHERE key IN (...)`.
 */
export function loaderByKey<T, K extends string = string>(
  fetch: (keys: readonly K[]) => Promise<readonly T[]>,
  keyOf: (row: T) => K,
): DataLoader<K, T | null> {
  return new DataLoader<K, T | null>(
    async (keys) => {
      const rows = await fetch(keys);
      const byKey = new Map(rows.map((row) => [keyOf(row), row] as const));
      return keys.map((key) => byKey.get(key) ?? null);
    },
    { maxBatchSize: 500 },
  );
}

/** Like loaderByKey, for one-to-many: each key gets every row that belongs to it, in fetch order. */
export function loaderOfMany<T, K extends string = string>(
  fetch: (keys: readonly K[]) => Promise<readonly T[]>,
  keyOf: (row: T) => K,
): DataLoader<K, T[]> {
  return new DataLoader<K, T[]>(
    async (keys) => {
      const rows = await fetch(keys);
      const byKey = new Map<K, T[]>(keys.map((key) => [key, []]));
      for (const row of rows) byKey.get(keyOf(row))?.push(row);
      return keys.map((key) => byKey.get(key) ?? []);
    },
    { maxBatchSize: 500 },
  );
}
