import { useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { ErrorNotice, Pending } from "../components/Notice";
import { ProductCard } from "../components/ProductCard";
import { readSearch, searchVariables, sortChoices, toggleFacet, writeSearch } from "../lib/searchParams";
import { SearchQuery } from "../operations/catalog";
import { useRouter } from "../routing/Router";

export function SearchPage() {
  const { match, navigate } = useRouter();
  const state = readSearch(match.query);
  const { data, previousData, error, loading } = useQuery(SearchQuery, { variables: searchVariables(state) });
  const shown = data ?? previousData;
  const [q, setQ] = useState(state.q);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(writeSearch({ ...state, q: q.trim() }));
  };
  const category = shown?.categories.find((each) => each.id === state.category);

  return (
    <div className="search-layout">
      <aside className="filters" aria-label="Filters">
        <form role="search" onSubmit={submit}>
          <label htmlFor="search-words">Search products</label>
          <div className="inline-field">
            <input id="search-words" type="search" value={q} onChange={(event) => setQ(event.target.value)} />
            <button type="submit">Search</button>
          </div>
        </form>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={state.inStock}
            onChange={() => navigate(writeSearch({ ...state, inStock: !state.inStock }))}
          />
          In stock only
        </label>
        <label htmlFor="sort">Sort by</label>
        <select
          id="sort"
          value={state.sort ?? ""}
          onChange={(event) => navigate(writeSearch({ ...state, sort: event.target.value || null }))}
        >
          <option value="">Default</option>
          {sortChoices.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        {shown?.products.facets.map((facet) => (
          <fieldset key={facet.name} className="facet">
            <legend>{facet.name}</legend>
            {facet.values.map((value) => (
              <label key={value.value} className="checkbox">
                <input
                  type="checkbox"
                  checked={state.facets[facet.name]?.includes(value.value) ?? false}
                  onChange={() => navigate(writeSearch(toggleFacet(state, facet.name, value.value)))}
                />
                {value.value} <span className="count">({value.count})</span>
              </label>
            ))}
          </fieldset>
        ))}
      </aside>
      <section className="results" aria-labelledby="results-heading" aria-busy={loading}>
        <h1 id="results-heading">{state.q ? `Results for “${state.q}”` : category ? category.name : "All products"}</h1>
        <ErrorNotice error={error} />
        {!shown ? (
          <Pending label="Searching…" height={600} />
        ) : (
          <>
            <p className="result-count" role="status" data-testid="result-count">
              {shown.products.totalCount} {shown.products.totalCount === 1 ? "product" : "products"}
            </p>
            {shown.products.edges.length === 0 ? (
              <p>Nothing matches. Try fewer filters or other words.</p>
            ) : (
              <ul className="product-grid">
                {shown.products.edges.map(({ node }, index) => (
                  <ProductCard key={node.id} product={node} eager={index < 4} />
                ))}
              </ul>
            )}
          </>
        )}
      </section>
    </div>
  );
}
