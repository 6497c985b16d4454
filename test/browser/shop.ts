import { CatalogBuilder } from "../support/catalogBuilder";
import { graphqlData } from "../support/graphqlClient";
import { loginAdmin } from "../support/identity";
import { waitFor } from "../support/waitFor";

/**
 * A small shop for the browser tests, made through the API as the back office would: a tee in
 * sizes and colours (L / Blue not made, S / Blue sold out), a linen shirt and a wool beanie.
 */
export async function buildShop(routerUrl: string) {
  // Right after start, a loaded machine may answer the first sign-in "unavailable": try again.
  const admin = await waitFor(() => loginAdmin(routerUrl), "the admin to sign in", 120_000);
  const catalog = new CatalogBuilder(routerUrl, admin.accessToken);
  const category = await catalog.category("Apparel");
  const tee = await catalog.productWithVariants({
    name: "Trail Tee",
    description: "A light tee for long walks.",
    categoryId: category.id,
    attributes: { Material: "cotton" },
    options: [
      { name: "Size", values: ["S", "M", "L"] },
      { name: "Colour", values: ["Red", "Blue"] },
    ],
    variants: [
      { options: { Size: "S", Colour: "Red" }, price: "20.00", stock: 5 },
      { options: { Size: "M", Colour: "Red" }, price: "22.00", stock: 6 },
      { options: { Size: "L", Colour: "Red" }, price: "24.00", stock: 4 },
      { options: { Size: "S", Colour: "Blue" }, price: "20.00", stock: 0 },
      { options: { Size: "M", Colour: "Blue" }, price: "23.50", stock: 6 },
    ],
  });
  const shirt = await catalog.product({
    name: "Linen Shirt",
    price: "45.00",
    categoryId: category.id,
    attributes: { Material: "linen" },
    stock: 5,
  });
  const beanie = await catalog.product({
    name: "Wool Beanie",
    price: "15.00",
    categoryId: category.id,
    attributes: { Material: "wool" },
    stock: 5,
  });
  // Stock reaches the catalog's readers through events: wait until the router shows it.
  await waitFor(
    async () => {
      const { product } = await graphqlData(
        routerUrl,
        `query($id: ID!) { product(id: $id) { variants { edges { node { stock { available } } } } } }`,
        { variables: { id: tee.id } },
      );
      return product.variants.edges.every(
        (edge: any, index: number) => edge.node.stock?.available === [5, 6, 4, 0, 6][index],
      );
    },
    "the tee's stock to show",
    20_000,
  );
  return { admin, category, tee, shirt, beanie };
}
