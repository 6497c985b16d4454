import { useQuery } from "@apollo/client/react";
import { ProductCard } from "../components/ProductCard";
import { ErrorNotice, Pending } from "../components/Notice";
import { HomeQuery } from "../operations/catalog";
import { Link } from "../routing/Router";

export function HomePage() {
  const { data, error } = useQuery(HomeQuery);
  if (error && !data) return <ErrorNotice error={error} />;
  if (!data) return <Pending label="Loading the shop…" height={600} />;
  const topLevel = data.categories.filter((category) => !category.parent);
  return (
    <>
      <section aria-labelledby="categories-heading">
        <h1 id="categories-heading">Shop by category</h1>
        <ul className="category-list">
          {topLevel.map((category) => (
            <li key={category.id}>
              <Link href={`/search?category=${encodeURIComponent(category.id)}`} className="category-tile">
                {category.name}
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="new-heading">
        <h2 id="new-heading">New in</h2>
        <ul className="product-grid">
          {data.products.edges.map(({ node }, index) => (
            <ProductCard key={node.id} product={node} eager={index < 4} />
          ))}
        </ul>
      </section>
    </>
  );
}
