import { readFileSync } from "node:fs";
import path from "node:path";
import { getNamedType, isInterfaceType, isObjectType, isUnionType, parse, type GraphQLNamedType } from "graphql";
import { loadApiSchema } from "../../schema/apiSchema";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { isSameForEveryCustomer, publicRootFields } from "../cache/publicResponseCache";

const schema = loadApiSchema(readFileSync(path.join(projectRoot, "schema", "supergraph.graphql"), "utf8"));

/**
 * Every field a cached catalog answer can hold for a customer, reviewed: each one's value is the
 * same for every customer as for an anonymous visitor, or refused to both (the back-office
 * stock fields, locations and movements, which only admins get, and answers with errors are
 * never kept). Archived variants and draft products are listed for admins only, who are never
 * answered from the cache.
 * A field added under the catalog fails this test until it is reviewed and listed here, or
 * marked personal in the cache (then it is missing from what customers can share).
 */
const reviewed = `
  ProductConnection.totalCount ProductConnection.pageInfo ProductConnection.edges ProductEdge.cursor ProductEdge.node
  PageInfo.hasNextPage PageInfo.hasPreviousPage PageInfo.startCursor PageInfo.endCursor
  Product.id Product.stock Product.stockMovements Product.sku Product.name Product.slug Product.description Product.price Product.taxCategory
  Product.category Product.images Product.archived Product.createdAt Product.updatedAt Product.rating Product.reviews
  Category.id Category.name Category.slug Category.parent Category.children
  Stock.available Stock.inStock Stock.lowStock Stock.onHand Stock.reserved Stock.lowStockThreshold
  StockMovementConnection.totalCount StockMovementConnection.pageInfo StockMovementConnection.edges StockMovementEdge.cursor StockMovementEdge.node
  StockMovement.id StockMovement.kind StockMovement.onHandDelta StockMovement.reservedDelta StockMovement.onHandAfter
  StockMovement.reservedAfter StockMovement.reason StockMovement.actorId StockMovement.orderId StockMovement.at
  Money.amount Money.currency ProductImage.url ProductImage.alt Rating.average Rating.count
  ReviewConnection.totalCount ReviewConnection.pageInfo ReviewConnection.edges ReviewEdge.cursor ReviewEdge.node
  Review.id Review.rating Review.title Review.body Review.author Review.createdAt
  User.id User.name
  Product.status Product.options Product.variants Product.defaultVariant Product.variantBySelectedOptions
  Product.priceRange Product.attributes ProductOption.name ProductOption.values PriceRange.min PriceRange.max
  Attribute.name Attribute.value SelectedOption.name SelectedOption.value ProductConnection.facets
  Facet.name Facet.values FacetValue.value FacetValue.count
  ProductVariantConnection.totalCount ProductVariantConnection.pageInfo ProductVariantConnection.edges
  ProductVariantEdge.cursor ProductVariantEdge.node
  ProductVariant.id ProductVariant.sku ProductVariant.title ProductVariant.selectedOptions ProductVariant.price
  ProductVariant.compareAtPrice ProductVariant.weight ProductVariant.barcode ProductVariant.images ProductVariant.image
  ProductVariant.archived ProductVariant.product ProductVariant.attributes ProductVariant.createdAt
  ProductVariant.updatedAt ProductVariant.stock ProductVariant.stockMovements
  SearchSuggestion.text SearchSuggestion.product SearchSuggestion.category
  Stock.byLocation LocationStock.location LocationStock.onHand LocationStock.reserved LocationStock.available
  StockLocation.id StockLocation.name StockLocation.address StockLocation.active StockLocation.priority
  StockLocation.createdAt StockLocationAddress.line1 StockLocationAddress.line2 StockLocationAddress.city
  StockLocationAddress.region StockLocationAddress.postalCode StockLocationAddress.country
  StockMovement.variant StockMovement.location
`
  .split(/\s+/)
  .filter(Boolean);

/** The fields reachable from the catalog's root fields without passing a field the cache calls personal. */
function shareableCatalogFields(): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const queue: GraphQLNamedType[] = [...publicRootFields]
    .filter((name) => name !== "__typename")
    .map((name) => getNamedType(schema.getQueryType()!.getFields()[name]!.type));
  while (queue.length > 0) {
    const type = queue.shift()!;
    if (seen.has(type.name)) continue;
    seen.add(type.name);
    if (isUnionType(type)) queue.push(...type.getTypes());
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const probe = parse(
        `{ _: __typename } fragment F on ${type.name} { ${field.name}${isObjectType(getNamedType(field.type)) || isInterfaceType(getNamedType(field.type)) ? " { __typename }" : ""} }`,
      );
      if (!isSameForEveryCustomer(schema, probe)) continue;
      found.push(`${type.name}.${field.name}`);
      queue.push(getNamedType(field.type));
    }
  }
  return found;
}

describe("what customers may share in the public response cache", () => {
  it("is exactly the reviewed list of catalog fields", () => {
    expect(shareableCatalogFields().sort()).toEqual([...reviewed].sort());
  });

  it("calls a user's private fields personal, in fragments too", () => {
    expect(
      isSameForEveryCustomer(
        schema,
        parse(`{ product(id: "x") { reviews { edges { node { author { id name } } } } } }`),
      ),
    ).toBe(true);
    expect(
      isSameForEveryCustomer(schema, parse(`{ product(id: "x") { reviews { edges { node { author { email } } } } } }`)),
    ).toBe(false);
    expect(
      isSameForEveryCustomer(
        schema,
        parse(
          `{ product(id: "x") { reviews { edges { node { author { ...A } } } } } } fragment A on User { orders { totalCount } }`,
        ),
      ),
    ).toBe(false);
    expect(
      isSameForEveryCustomer(
        schema,
        parse(`{ product(id: "x") { reviews { edges { node { author { ... on User { addresses { city } } } } } } } }`),
      ),
    ).toBe(false);
  });
});
