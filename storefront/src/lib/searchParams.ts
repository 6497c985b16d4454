/**
 * The search page's state lives in its URL (shareable, back-button friendly, server-rendered):
 * `q`, `category` (an id), `inStock=1`, `sort`, and `f.<attribute>=<value>` once per chosen value.
 */
export interface SearchState {
  q: string;
  category: string | null;
  inStock: boolean;
  sort: string | null;
  facets: Record<string, string[]>;
}

export const pageSize = 24;
const facetPrefix = "f.";

export function readSearch(query: URLSearchParams): SearchState {
  const facets: Record<string, string[]> = {};
  for (const [key, value] of query) {
    if (!key.startsWith(facetPrefix) || !value) continue;
    const name = key.slice(facetPrefix.length);
    (facets[name] ??= []).push(value);
  }
  return {
    q: query.get("q")?.trim() ?? "",
    category: query.get("category") || null,
    inStock: query.get("inStock") === "1",
    sort: query.get("sort") || null,
    facets,
  };
}

export function writeSearch(state: SearchState): string {
  const query = new URLSearchParams();
  if (state.q) query.set("q", state.q);
  if (state.category) query.set("category", state.category);
  if (state.inStock) query.set("inStock", "1");
  if (state.sort) query.set("sort", state.sort);
  for (const [name, values] of Object.entries(state.facets).sort(([a], [b]) => a.localeCompare(b)))
    for (const value of [...values].sort()) query.append(`${facetPrefix}${name}`, value);
  const text = query.toString();
  return text ? `/search?${text}` : "/search";
}

/** Chooses or drops one facet value. */
export function toggleFacet(state: SearchState, name: string, value: string): SearchState {
  const current = state.facets[name] ?? [];
  const next = current.includes(value) ? current.filter((each) => each !== value) : [...current, value];
  const facets = { ...state.facets, [name]: next };
  if (next.length === 0) delete facets[name];
  return { ...state, facets };
}

export const sortChoices = [
  ["RELEVANCE", "Best match"],
  ["NEWEST", "Newest"],
  ["PRICE_ASC", "Price, low to high"],
  ["PRICE_DESC", "Price, high to low"],
  ["RATING", "Best rated"],
  ["NAME", "Name"],
] as const;
type Sort = (typeof sortChoices)[number][0];
const sorts = new Set<string>(sortChoices.map(([value]) => value));

/** The variables of the search query: the same for the server's render and the browser's. */
export function searchVariables(state: SearchState) {
  const attributes = Object.entries(state.facets).map(([name, values]) => ({ name, values }));
  return {
    first: pageSize,
    filter: {
      ...(state.q ? { search: state.q } : {}),
      ...(state.category ? { categoryId: state.category } : {}),
      ...(state.inStock ? { inStock: true } : {}),
      ...(attributes.length ? { attributes } : {}),
    },
    ...(state.sort && sorts.has(state.sort) ? { sort: state.sort as Sort } : {}),
  };
}
