import { viewStock } from "../domain/stock";

describe("stock view", () => {
  it("derives availability from on hand and reserved", () => {
    expect(viewStock({ onHand: 10, reserved: 3, lowStockThreshold: 5 })).toEqual({
      onHand: 10,
      reserved: 3,
      available: 7,
      inStock: true,
      lowStock: false,
      lowStockThreshold: 5,
    });
  });

  it("is low at the threshold and out of stock at zero", () => {
    expect(viewStock({ onHand: 5, reserved: 0, lowStockThreshold: 5 })).toMatchObject({
      lowStock: true,
      inStock: true,
    });
    expect(viewStock({ onHand: 4, reserved: 4, lowStockThreshold: 0 })).toMatchObject({
      available: 0,
      inStock: false,
      lowStock: true,
    });
  });
});
