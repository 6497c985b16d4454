import { InMemoryCache, type NormalizedCacheObject } from "@apollo/client";

/**
 * The normalised cache. Entities (Product, ProductVariant, Category, Order, Cart, User, Address)
 * are stored once by `__typename:id`, so the order a subscription pushes updates the order page,
 * and the variant a cart line names is the one the product page shows. Values without identity
 * (Money, Stock, images, options) live inside their parent and are replaced whole.
 */
export function createCache(state?: NormalizedCacheObject): InMemoryCache {
  const cache = new InMemoryCache({
    typePolicies: {
      Money: { keyFields: false, merge: true },
      Stock: { keyFields: false, merge: true },
      PriceRange: { keyFields: false, merge: true },
      ProductImage: { keyFields: false },
      SelectedOption: { keyFields: false },
      Attribute: { keyFields: false },
      Payment: { merge: true },
      // A method's price is for one cart at one address: kept inside the answer that priced it,
      // never shared by id between carts, addresses or an order placed earlier.
      ShippingMethodOption: { keyFields: false },
      Query: {
        fields: {
          // A product or order fetched by id anywhere (a list, a cart line) answers a later
          // `product(id:)` / `order(id:)` from the cache without a request.
          product: {
            read(existing, { args, toReference }) {
              return existing ?? (args?.id ? toReference({ __typename: "Product", id: args.id as string }) : undefined);
            },
          },
          order: {
            read(existing, { args, toReference }) {
              return existing ?? (args?.id ? toReference({ __typename: "Order", id: args.id as string }) : undefined);
            },
          },
        },
      },
    },
  });
  if (state) cache.restore(state);
  return cache;
}
