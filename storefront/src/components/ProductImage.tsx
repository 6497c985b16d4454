import { useState } from "react";

/**
 * A product picture in a box of fixed proportions: the space is reserved before the image loads
 * (no layout shift), and a picture that fails to load leaves a neutral tile with its alt text.
 */
export function ProductImage({
  image,
  size,
  eager = false,
}: {
  image: { url: string; alt: string } | null | undefined;
  size: number;
  eager?: boolean;
}) {
  const [failed, setFailed] = useState(false);
  return (
    <div className="product-image" style={{ aspectRatio: "1 / 1", maxWidth: size }}>
      {image && !failed ? (
        <img
          src={image.url}
          alt={image.alt}
          width={size}
          height={size}
          loading={eager ? "eager" : "lazy"}
          decoding="async"
          onError={() => setFailed(true)}
        />
      ) : (
        <span className="product-image-fallback">{image?.alt ?? ""}</span>
      )}
    </div>
  );
}
