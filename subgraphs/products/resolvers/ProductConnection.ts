import type { ProductConnectionResolvers } from "../generated/graphql";
import { facetCounts } from "../store/productSearch";

export const ProductConnection: ProductConnectionResolvers = {
  async facets(page, _args, { db }) {
    const facets: Array<{ name: string; values: Array<{ value: string; count: number }> }> = [];
    for (const row of await facetCounts(db, page.query)) {
      const last = facets[facets.length - 1];
      if (last && last.name.toLowerCase() === row.name.toLowerCase())
        last.values.push({ value: row.value, count: row.count });
      else facets.push({ name: row.name, values: [{ value: row.value, count: row.count }] });
    }
    return facets;
  },
};
