import { graphql } from "../generated";

export const HomeQuery = graphql(`
  query StorefrontHome {
    categories {
      id
      name
      slug
      parent {
        id
      }
    }
    products(first: 8, sort: NEWEST) {
      edges {
        node {
          ...ProductCard
        }
      }
    }
  }
`);

export const ProductCardFragment = graphql(`
  fragment ProductCard on Product {
    id
    name
    slug
    priceRange {
      min {
        amount
        currency
      }
      max {
        amount
        currency
      }
    }
    images {
      url
      alt
    }
    stock {
      available
      inStock
    }
  }
`);

export const SearchQuery = graphql(`
  query StorefrontSearch($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
    products(first: $first, after: $after, filter: $filter, sort: $sort) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      facets {
        name
        values {
          value
          count
        }
      }
      edges {
        node {
          ...ProductCard
        }
      }
    }
    categories {
      id
      name
      slug
    }
  }
`);

export const ProductQuery = graphql(`
  query StorefrontProduct($slug: String!) {
    product(slug: $slug) {
      id
      name
      slug
      description
      category {
        id
        name
      }
      options {
        name
        values
      }
      attributes {
        name
        value
      }
      images {
        url
        alt
      }
      defaultVariant {
        id
      }
      variants(first: 100) {
        edges {
          node {
            id
            sku
            title
            selectedOptions {
              name
              value
            }
            price {
              amount
              currency
            }
            compareAtPrice {
              amount
              currency
            }
            image {
              url
              alt
            }
            stock {
              available
              inStock
            }
          }
        }
      }
    }
  }
`);
