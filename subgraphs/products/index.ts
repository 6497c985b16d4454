/**
 * The products subgraph's public surface: what starts it (the process entry, the stack, tests) and
 * what other code may call in-process. Everything else under subgraphs/products is its own.
 */
export { productsService } from "./service";
export { productsEnvironment, type ProductsEnvironment } from "./environment";
export { createProductsDatabase, type ProductsDb, type ProductsTx } from "./store/database";
// Catalog writes without a request, for loading a catalog in bulk.
export { createProduct } from "./domain/catalog";
export { createCategory } from "./domain/categories";
export { createVariants, setProductOptions } from "./domain/variants";
