import { toMinorUnits } from "../money";

describe("toMinorUnits", () => {
  it("reads the decimal string exactly, in minor units", () => {
    expect(toMinorUnits("61.67")).toBe(6167);
    expect(toMinorUnits("0.10")).toBe(10);
    expect(toMinorUnits("0.1")).toBe(10);
    expect(toMinorUnits("12")).toBe(1200);
    // 1.15 * 100 is 114.99999999999999 as a float; the string gives 115.
    expect(toMinorUnits("1.15")).toBe(115);
    expect(toMinorUnits("999999.99")).toBe(99_999_999);
  });

  it("refuses what is not a positive amount of at most two decimals", () => {
    for (const amount of ["-1.00", "1.234", "", "1e3", "abc"]) expect(() => toMinorUnits(amount)).toThrow();
  });
});
