import { getNamedType, isEnumType, type GraphQLField, type GraphQLNamedType } from "graphql";

/**
 * The most items a list field without `first` can hold, where the service that owns it bounds it
 * (its validation refuses more). The cost model counts what is under such a list once per item
 * of this maximum; a list not named here counts as the largest page (100), and a list of an enum
 * as that enum's number of values. Keep these with the limits they come from.
 */
export const listMaximums: Readonly<Record<string, number>> = {
  // orders: maxCartLines and maxOrderLines (subgraphs/orders/domain/cart.ts, checkoutInput.ts).
  "Cart.items": 50,
  "Order.items": 50,
  // orders: maxFulfillmentsPerOrder and maxReturnsPerOrder (domain/fulfillment/linePlan.ts); a
  // parcel or a return names each order line at most once.
  "Order.fulfillments": 20,
  "Fulfillment.lines": 50,
  "Order.returns": 20,
  "OrderReturn.lines": 50,
  // orders: maxEditsPerOrder and maxEditLines (domain/edits/editPlan.ts).
  "Order.edits": 20,
  "OrderEdit.lines": 50,
  // orders' pricing: maxAppliedDiscounts (domain/pricing/priceCheckout.ts); a discount or a tax
  // line per cart or order line (50) and one tax line for shipping; the methods of one zone and
  // the bands of one method (configLimits, domain/settings/settingsInput.ts); the codes of a cart.
  "CheckoutCost.discounts": 10,
  "DiscountAllocation.lines": 50,
  "CheckoutCost.taxLines": 51,
  "Cart.availableShippingMethods": 20,
  "Cart.discountCodes": 5,
  "ShippingZone.areas": 300,
  "ShippingZone.methods": 20,
  "ShippingMethodSetting.bands": 20,
  // orders: listCarriers; payments: the refunds of a payment it lists.
  "Query.carriers": 100,
  "Payment.refunds": 100,
  // orders' state machine: PENDING → AWAITING_PAYMENT → CONFIRMED → SHIPPED → DELIVERED, or CANCELLED / REFUNDED.
  "Order.statusHistory": 10,
  // products: maxImages (productInput.ts), for products and variants alike.
  "Product.images": 20,
  "ProductVariant.images": 20,
  // products: maxAttributes (attributeInput.ts).
  "Product.attributes": 50,
  "ProductVariant.attributes": 50,
  // products: maxOptions and maxOptionValues (variantOptions.ts); a variant selects one value per option.
  "Product.options": 3,
  "ProductOption.values": 100,
  "ProductVariant.selectedOptions": 3,
  "OrderItem.selectedOptions": 3,
  // products: maxVariantsPerRequest (variantInput.ts).
  "Mutation.productVariantsCreate": 50,
  // products: maxFacets and maxFacetValues (store/productSearch.ts).
  "ProductConnection.facets": 30,
  "Facet.values": 50,
  // inventory: maxLocations (domain/locations.ts).
  "Query.stockLocations": 100,
  "Stock.byLocation": 100,
  // users: the cap on saved addresses.
  "User.addresses": 20,
  // users: the privacy requests shown (resolvers/Query.ts), one report line per service, and a
  // service's counts (at most users' nine kinds of record: store/privacyStore.ts eraseUserRecords).
  "Query.myPrivacyRequests": 20,
  "PrivacyRequest.report": 6,
  "PrivacyServiceReport.counts": 10,
};

/**
 * How many items a list field without a `first` argument counts for: 1 for a connection's
 * `edges` (the connection's `first` already counted its page), an enum's number of values, the
 * bound of `listMaximums`, or `fallback` (the largest page) for a list nothing bounds.
 */
export function listMaximum(
  parent: GraphQLNamedType | undefined,
  field: GraphQLField<unknown, unknown>,
  fallback: number,
): number {
  if (parent?.name.endsWith("Connection") && (field.name === "edges" || field.name === "nodes")) return 1;
  const item = getNamedType(field.type);
  if (isEnumType(item)) return item.getValues().length;
  return listMaximums[`${parent?.name}.${field.name}`] ?? fallback;
}
