import { selectionOf, valueState, variantFor, type PickerOption, type PickerVariant } from "../variants";
import { formatMoney, formatPriceRange } from "../money";

const options: PickerOption[] = [
  { name: "Size", values: ["S", "M", "L"] },
  { name: "Colour", values: ["Red", "Blue"] },
];
const variant = (id: string, size: string, colour: string, available: number | null): PickerVariant => ({
  id,
  selectedOptions: [
    { name: "Size", value: size },
    { name: "Colour", value: colour },
  ],
  available,
});
// No L / Blue at all; M / Blue sold out.
const variants = [
  variant("s-red", "S", "Red", 3),
  variant("s-blue", "S", "Blue", 1),
  variant("m-red", "M", "Red", 2),
  variant("m-blue", "M", "Blue", 0),
  variant("l-red", "L", "Red", null),
];

describe("the variant picker's rules", () => {
  it("finds the variant of a full selection, whatever the letter case, and none for a partial one", () => {
    expect(variantFor(options, variants, { Size: "m", Colour: "RED" })?.id).toBe("m-red");
    expect(variantFor(options, variants, { Size: "L", Colour: "Blue" })).toBeNull();
    expect(variantFor(options, variants, { Size: "S" })).toBeNull();
  });

  it.each([
    ["Colour", "Blue", { Size: "S", Colour: "Red" }, "available"],
    ["Colour", "Blue", { Size: "M", Colour: "Red" }, "sold-out"],
    ["Colour", "Blue", { Size: "L", Colour: "Red" }, "unavailable"],
    ["Size", "L", { Size: "S", Colour: "Red" }, "available"],
    ["Size", "L", { Size: "S", Colour: "Blue" }, "unavailable"],
    ["Size", "M", { Size: "S", Colour: "Blue" }, "sold-out"],
  ] as const)("%s %s beside %j is %s", (name, value, selection, state) => {
    const option = options.find((each) => each.name === name)!;
    expect(valueState(option, value, variants, selection)).toBe(state);
  });

  it("starts from the default variant's values", () => {
    expect(selectionOf(variants[2]!)).toEqual({ Size: "M", Colour: "Red" });
  });
});

describe("money as shown", () => {
  it.each([
    [{ amount: "1234.50", currency: "USD" }, "$1,234.50"],
    [{ amount: "0.10", currency: "USD" }, "$0.10"],
    [{ amount: "9007199254740993.99", currency: "USD" }, "$9,007,199,254,740,993.99"],
    [{ amount: "not a number", currency: "USD" }, "not a number USD"],
  ])("%j is %s", (money, shown) => {
    expect(formatMoney(money)).toBe(shown);
  });

  it("shows a range only when its ends differ", () => {
    const ten = { amount: "10.00", currency: "USD" };
    expect(formatPriceRange(ten, ten)).toBe("$10.00");
    expect(formatPriceRange(ten, { amount: "12.00", currency: "USD" })).toBe("$10.00 – $12.00");
  });
});
