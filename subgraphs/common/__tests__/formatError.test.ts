import { coercedField } from "../server/formatError";

describe("naming the field of a variable that failed coercion", () => {
  it("reads the path inside an input object", () => {
    expect(
      coercedField(
        'Variable "$input" got invalid value 1.5 at "input.delta"; Int cannot represent non-integer value: 1.5',
      ),
    ).toBe("delta");
    expect(
      coercedField('Variable "$input" got invalid value "x" at "input.images[0].url"; String cannot represent'),
    ).toBe("images.0.url");
  });

  it("keeps the name of an argument other than input, as domain errors do", () => {
    expect(coercedField('Variable "$filter" got invalid value 1.5 at "filter.minPrice"; String cannot represent')).toBe(
      "filter.minPrice",
    );
  });

  it("names a top-level variable itself", () => {
    expect(
      coercedField('Variable "$first" got invalid value "ten"; Int cannot represent non-integer value: "ten"'),
    ).toBe("first");
  });

  it("leaves other messages alone", () => {
    expect(coercedField("Something else entirely")).toBeUndefined();
  });
});
