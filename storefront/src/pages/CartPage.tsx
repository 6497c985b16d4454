import { useState } from "react";
import { useCart } from "../cart/useCart";
import { Money } from "../components/Money";
import { ErrorNotice, Pending } from "../components/Notice";
import { ProductImage } from "../components/ProductImage";
import { shopperMessage } from "../lib/errors";
import { Link } from "../routing/Router";

export function CartPage() {
  const cart = useCart();
  const [lineError, setLineError] = useState<{ lineId: string; text: string } | null>(null);
  if (!cart.ready) return <Pending label="Loading your cart…" />;
  if (cart.error && !cart.cart) return <ErrorNotice error={cart.error} />;
  const items = cart.cart?.items ?? [];

  const change = async (lineId: string, quantity: number) => {
    setLineError(null);
    try {
      await cart.setQuantity(lineId, quantity);
    } catch (error) {
      // More than is in stock, say: told beside the line.
      setLineError({ lineId, text: shopperMessage(error) });
    }
  };

  return (
    <section aria-labelledby="cart-heading">
      <h1 id="cart-heading">Your cart</h1>
      {items.length === 0 ? (
        <p>
          Your cart is empty. <Link href="/search">Find something you like</Link>.
        </p>
      ) : (
        <>
          <ul className="cart-lines">
            {items.map((item) => {
              return (
                <li key={item.id} className="cart-line" data-testid="cart-line">
                  <ProductImage image={item.variant?.image} size={96} />
                  <div>
                    <Link href={`/products/${item.product?.slug ?? ""}`}>{item.product?.name ?? "Product"}</Link>
                    <div className="muted">{item.variant?.title}</div>
                    <div>
                      <Money value={item.unitPrice} /> each
                    </div>
                  </div>
                  <div className="cart-line-quantity">
                    <label htmlFor={`qty-${item.id}`}>Quantity</label>
                    <input
                      id={`qty-${item.id}`}
                      type="number"
                      min={0}
                      value={item.quantity}
                      disabled={cart.updating}
                      onChange={(event) => void change(item.id, Math.max(0, Number(event.target.value)))}
                    />
                    <button type="button" disabled={cart.updating} onClick={() => void change(item.id, 0)}>
                      Remove
                    </button>
                  </div>
                  <div className="cart-line-total">
                    <Money value={item.lineTotal} />
                  </div>
                  {lineError && lineError.lineId === item.id ? <ErrorNotice>{lineError.text}</ErrorNotice> : null}
                </li>
              );
            })}
          </ul>
          <p className="cart-subtotal" data-testid="cart-subtotal">
            Subtotal: <strong>{cart.cart ? <Money value={cart.cart.subtotal} /> : null}</strong>
          </p>
          <p className="muted">Shipping and taxes are worked out at checkout.</p>
          <Link href="/checkout" className="button primary">
            Check out
          </Link>
        </>
      )}
    </section>
  );
}
