import { BadUserInputError } from "../../common/errors";
import {
  optionsKeyOf,
  remapSelectedOptions,
  resolveSelectedOptions,
  validateOptions,
  variantTitleOf,
} from "../domain/variantOptions";

const options = [
  { name: "Size", values: ["S", "M", "L"] },
  { name: "Colour", values: ["Red", "Blue"] },
];

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof BadUserInputError) return error.field;
    throw error;
  }
  throw new Error("expected BAD_USER_INPUT");
}

describe("product options", () => {
  it("keeps names and values in the merchant's order, trimmed", () => {
    expect(validateOptions([{ name: " Size ", values: ["XL", " S", "M"] }])).toEqual([
      { name: "Size", values: ["XL", "S", "M"] },
    ]);
  });

  it("refuses more than three options, a name twice and a value twice, letter case aside", () => {
    const one = { name: "A", values: ["x"] };
    expect(
      fieldOf(() => validateOptions([one, { ...one, name: "B" }, { ...one, name: "C" }, { ...one, name: "D" }])),
    ).toBe("options");
    expect(fieldOf(() => validateOptions([one, { name: "a", values: ["y"] }]))).toBe("options.1.name");
    expect(fieldOf(() => validateOptions([{ name: "Size", values: ["M", "m"] }]))).toBe("options.0.values.1");
    expect(fieldOf(() => validateOptions([{ name: "Size", values: [] }]))).toBe("options.0.values");
  });
});

describe("a variant's option values", () => {
  it("are read in any order and letter case, and answered in the options' order and spelling", () => {
    expect(
      resolveSelectedOptions(
        options,
        [
          { name: "colour", value: "blue" },
          { name: "SIZE", value: "m" },
        ],
        "selectedOptions",
      ),
    ).toEqual([
      { name: "Size", value: "M" },
      { name: "Colour", value: "Blue" },
    ]);
  });

  it("must give one known value for every option", () => {
    const resolve = (input: Array<{ name: string; value: string }>) => () =>
      resolveSelectedOptions(options, input, "selectedOptions");
    expect(fieldOf(resolve([{ name: "Size", value: "M" }]))).toBe("selectedOptions");
    expect(
      fieldOf(
        resolve([
          { name: "Size", value: "XXL" },
          { name: "Colour", value: "Red" },
        ]),
      ),
    ).toBe("selectedOptions");
    expect(fieldOf(resolve([{ name: "Fit", value: "Slim" }]))).toBe("selectedOptions.0.name");
    expect(fieldOf(() => resolveSelectedOptions([], [], "variants.0.selectedOptions"))).toBe(
      "variants.0.selectedOptions",
    );
  });

  it("give one key whatever their order or letter case, and a title in the options' order", () => {
    const a = [
      { name: "Size", value: "M" },
      { name: "Colour", value: "Red" },
    ];
    expect(optionsKeyOf(a)).toBe(optionsKeyOf([...a].reverse().map((o) => ({ ...o, value: o.value.toLowerCase() }))));
    expect(optionsKeyOf(a)).not.toBe(optionsKeyOf([{ name: "Size", value: "M" }]));
    expect(variantTitleOf(a)).toBe("M / Red");
    expect(variantTitleOf([])).toBe("Default Title");
  });

  it("follow new options: kept values stay, a new option gives its first value, a value removed is missing", () => {
    const current = [{ name: "Size", value: "M" }];
    expect(remapSelectedOptions(current, options)).toEqual({
      selected: [
        { name: "Size", value: "M" },
        { name: "Colour", value: "Red" },
      ],
    });
    expect(remapSelectedOptions(current, [{ name: "Size", values: ["S", "L"] }])).toEqual({
      missing: { option: "Size", value: "M", index: 0 },
    });
    expect(remapSelectedOptions(current, [])).toEqual({ selected: [] });
  });
});
