import { useQuery } from "@apollo/client/react";
import { useMemo, useState } from "react";
import { useCart } from "../cart/useCart";
import { Money } from "../components/Money";
import { ErrorNotice, InfoNotice, Pending } from "../components/Notice";
import { ProductImage } from "../components/ProductImage";
import { VariantPicker } from "../components/VariantPicker";
import type { StorefrontProductQuery } from "../generated/graphql";
import { hasCode, shopperMessage } from "../lib/errors";
import { selectionOf, variantFor, type PickerVariant, type Selection } from "../lib/variants";
import { ProductQuery } from "../operations/catalog";
import { Link } from "../routing/Router";

export function ProductPage({ slug }: { slug: string }) {
  const { data, error } = useQuery(ProductQuery, { variables: { slug } });
  if (error && !data?.product) {
    return hasCode(error, "NOT_FOUND") ? <ProductNotFound /> : <ErrorNotice error={error} />;
  }
  if (!data) return <Pending label="Loading the product…" height={560} />;
  if (!data.product) return <ProductNotFound />;
  return <ProductDetail product={data.product} />;
}

function ProductNotFound() {
  return (
    <section>
      <h1>Product not found</h1>
      <p>
        It may have been withdrawn from sale. <Link href="/search">Browse the shop</Link>.
      </p>
    </section>
  );
}

type Product = NonNullable<StorefrontProductQuery["product"]>;

function ProductDetail({ product }: { product: Product }) {
  const variants = product.variants.edges.map(({ node }) => node);
  const pickerVariants: PickerVariant[] = useMemo(
    () =>
      variants.map((variant) => ({
        id: variant.id,
        selectedOptions: variant.selectedOptions,
        available: variant.stock ? variant.stock.available : null,
      })),
    [variants],
  );
  const initial = pickerVariants.find((variant) => variant.id === product.defaultVariant.id) ?? pickerVariants[0];
  const [selection, setSelection] = useState<Selection>(initial ? selectionOf(initial) : {});
  const [quantity, setQuantity] = useState(1);
  const [message, setMessage] = useState<{ kind: "error" | "info"; text: string } | null>(null);
  const cart = useCart();

  const chosen = variantFor(product.options, pickerVariants, selection);
  const variant = chosen ? variants.find((each) => each.id === chosen.id) : undefined;
  const available = variant?.stock?.available ?? null;
  const soldOut = available !== null && available <= 0;

  const addToCart = async () => {
    if (!variant) return;
    setMessage(null);
    try {
      await cart.addLine(variant.id, quantity);
      setMessage({ kind: "info", text: `Added ${quantity} × ${product.name} (${variant.title}) to your cart.` });
    } catch (error) {
      setMessage({ kind: "error", text: shopperMessage(error) });
    }
  };

  return (
    <article className="product-detail">
      <div className="product-gallery">
        <ProductImage image={variant?.image ?? product.images[0]} size={560} eager />
      </div>
      <div className="product-info">
        {product.category ? (
          <p className="breadcrumb">
            <Link href={`/search?category=${encodeURIComponent(product.category.id)}`}>{product.category.name}</Link>
          </p>
        ) : null}
        <h1>{product.name}</h1>
        <p className="price" data-testid="variant-price" aria-live="polite">
          {variant ? (
            <>
              <Money value={variant.price} />
              {variant.compareAtPrice ? (
                <s className="compare-at">
                  <span className="visually-hidden">was </span>
                  <Money value={variant.compareAtPrice} />
                </s>
              ) : null}
            </>
          ) : (
            "Choose another combination"
          )}
        </p>
        {product.options.length ? (
          <VariantPicker
            options={product.options}
            variants={pickerVariants}
            selection={selection}
            onChange={(next) => {
              setSelection(next);
              setMessage(null);
            }}
          />
        ) : null}
        <p className="stock" data-testid="variant-stock" aria-live="polite">
          {!variant
            ? "This combination is not available."
            : available === null
              ? "Stock unknown right now."
              : soldOut
                ? "Out of stock"
                : available <= 5
                  ? `Only ${available} left`
                  : "In stock"}
        </p>
        <div className="buy-row">
          <label htmlFor="quantity">Quantity</label>
          <input
            id="quantity"
            type="number"
            min={1}
            max={Math.max(1, Math.min(available ?? 99, 99))}
            value={quantity}
            onChange={(event) => setQuantity(Math.max(1, Number(event.target.value) || 1))}
          />
          <button
            type="button"
            className="primary"
            disabled={!variant || soldOut || cart.adding}
            onClick={() => void addToCart()}
          >
            {cart.adding ? "Adding…" : "Add to cart"}
          </button>
        </div>
        {message?.kind === "error" ? <ErrorNotice>{message.text}</ErrorNotice> : null}
        {message?.kind === "info" ? (
          <InfoNotice>
            {message.text} <Link href="/cart">View cart</Link>
          </InfoNotice>
        ) : null}
        <p className="description">{product.description}</p>
        {product.attributes.length ? (
          <dl className="attributes">
            {product.attributes.map((attribute) => (
              <div key={`${attribute.name}:${attribute.value}`}>
                <dt>{attribute.name}</dt>
                <dd>{attribute.value}</dd>
              </div>
            ))}
          </dl>
        ) : null}
      </div>
    </article>
  );
}
