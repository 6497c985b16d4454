/** Orders categories so that every parent comes before its children, siblings by name. */
export function parentsBeforeChildren<T extends { id: string; parentId: string | null; name: string }>(
  categories: readonly T[],
): T[] {
  const children = new Map<string | null, T[]>();
  const ids = new Set(categories.map((category) => category.id));
  for (const category of categories) {
    // A parent outside the list is treated as the root, so nothing is dropped.
    const parent = category.parentId && ids.has(category.parentId) ? category.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), category]);
  }
  const ordered: T[] = [];
  let level = [...(children.get(null) ?? [])];
  while (level.length > 0) {
    level.sort((a, b) => a.name.localeCompare(b.name));
    ordered.push(...level);
    level = level.flatMap((category) => children.get(category.id) ?? []);
  }
  return ordered;
}
