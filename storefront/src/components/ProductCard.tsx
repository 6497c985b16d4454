import type { ProductCardFragment } from "../generated/graphql";
import { Link } from "../routing/Router";
import { PriceRange } from "./Money";
import { ProductImage } from "./ProductImage";

export function ProductCard({ product, eager }: { product: ProductCardFragment; eager?: boolean }) {
  const soldOut = product.stock ? !product.stock.inStock : false;
  return (
    <li className="product-card" data-testid="product-card">
      <Link href={`/products/${encodeURIComponent(product.slug)}`}>
        <ProductImage image={product.images[0]} size={320} eager={eager ?? false} />
        <span className="product-card-name">{product.name}</span>
      </Link>
      <span className="product-card-price">
        <PriceRange min={product.priceRange.min} max={product.priceRange.max} />
        {soldOut ? <span className="badge">Sold out</span> : null}
      </span>
    </li>
  );
}
