import { BadUserInputError } from "../../common/errors";
import { parentsBeforeChildren } from "../domain/categoryTree";
import { validateNewProduct } from "../domain/productInput";

const valid = { sku: "hp-1", name: "  Studio Headphones ", price: "199.5" };

function fieldOf(input: Parameters<typeof validateNewProduct>[0]): string | undefined {
  try {
    validateNewProduct(input);
  } catch (error) {
    if (error instanceof BadUserInputError) return error.field;
    throw error;
  }
  throw new Error("expected BAD_USER_INPUT");
}

describe("new product input", () => {
  it("normalises a valid product", () => {
    expect(validateNewProduct({ ...valid, images: [{ url: "https://img.example/1.jpg" }] })).toEqual({
      sku: "HP-1",
      name: "Studio Headphones",
      slug: "studio-headphones",
      description: "",
      priceMinor: 19950n,
      currency: "USD",
      categoryId: null,
      images: [{ url: "https://img.example/1.jpg", alt: "" }],
      status: "ACTIVE",
      taxCategory: "STANDARD",
      attributes: [],
    });
  });

  it("names the field at fault", () => {
    expect(fieldOf({ ...valid, price: "1.999" })).toBe("price");
    expect(fieldOf({ ...valid, price: "-1" })).toBe("price");
    expect(fieldOf({ ...valid, sku: "has space" })).toBe("sku");
    expect(fieldOf({ ...valid, name: "" })).toBe("name");
    expect(fieldOf({ ...valid, slug: "Not A Slug" })).toBe("slug");
    expect(fieldOf({ ...valid, currency: "ABC" })).toBe("currency");
    expect(fieldOf({ ...valid, categoryId: "7" })).toBe("categoryId");
    expect(fieldOf({ ...valid, images: [{ url: "ftp://x" }] })).toBe("images.0.url");
    expect(fieldOf({ ...valid, attributes: [{ name: "Material", value: "" }] })).toBe("attributes.0.value");
  });
});

describe("category tree order", () => {
  it("lists parents before children and siblings by name", () => {
    const rows = [
      { id: "c", parentId: "a", name: "Headphones" },
      { id: "b", parentId: null, name: "Books" },
      { id: "a", parentId: null, name: "Audio" },
      { id: "d", parentId: "c", name: "Wireless" },
      { id: "e", parentId: "a", name: "Amplifiers" },
    ];
    expect(parentsBeforeChildren(rows).map((row) => row.id)).toEqual(["a", "b", "e", "c", "d"]);
  });
});
