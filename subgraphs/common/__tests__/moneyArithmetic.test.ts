import fc from "fast-check";
import {
  add,
  allocate,
  amount,
  CurrencyMismatchError,
  divideHalfEven,
  formatPercent,
  includedTax,
  parsePercent,
  percentage,
  subtract,
  sum,
} from "../moneyArithmetic";

const minor = fc.bigInt({ min: -10_000_000_000n, max: 10_000_000_000n });
const currency = fc.constantFrom("USD", "EUR", "GBP");

describe("money arithmetic", () => {
  it("adds and subtracts amounts of one currency", () => {
    expect(add(amount(1999n, "USD"), amount(1n, "USD"))).toEqual(amount(2000n, "USD"));
    expect(subtract(amount(500n, "EUR"), amount(750n, "EUR"))).toEqual(amount(-250n, "EUR"));
    expect(sum("GBP", [amount(1n, "GBP"), amount(2n, "GBP")])).toEqual(amount(3n, "GBP"));
    expect(sum("GBP", [])).toEqual(amount(0n, "GBP"));
  });

  it("never mixes currencies", () => {
    expect(() => add(amount(1n, "USD"), amount(1n, "EUR"))).toThrow(CurrencyMismatchError);
    expect(() => subtract(amount(1n, "USD"), amount(1n, "EUR"))).toThrow(CurrencyMismatchError);
    expect(() => sum("USD", [amount(1n, "EUR")])).toThrow(CurrencyMismatchError);
  });

  it.each([
    [5n, 2n, 2n], // 2.5 → 2 (even)
    [7n, 2n, 4n], // 3.5 → 4 (even)
    [-5n, 2n, -2n],
    [-7n, 2n, -4n],
    [10n, 4n, 2n], // 2.5 → 2
    [14n, 4n, 4n], // 3.5 → 4
    [11n, 4n, 3n], // 2.75 → 3
    [9n, 4n, 2n], // 2.25 → 2
    [6n, 3n, 2n],
    [0n, 7n, 0n],
    [5n, -2n, -2n],
  ])("rounds %p / %p half to even: %p", (numerator, denominator, expected) => {
    expect(divideHalfEven(numerator, denominator)).toBe(expected);
  });

  it.each([
    [1999n, 200_000n, 400n], // 399.8
    [1250n, 100_000n, 125n],
    [125n, 100_000n, 12n], // 12.5 → 12
    [135n, 100_000n, 14n], // 13.5 → 14
    [1000n, 88_750n, 89n], // 88.75
    [1000n, 1_000_000n, 1000n],
    [1000n, 0n, 0n],
  ])("takes %p × %p ppm = %p", (base, ppm, expected) => {
    expect(percentage(base, ppm)).toBe(expected);
  });

  it.each([
    [1200n, 200_000n, 200n], // 12.00 gross at 20 %: 2.00 tax
    [1000n, 200_000n, 167n], // 166.67
    [105n, 50_000n, 5n], // 5.0
    [999n, 0n, 0n],
  ])("finds the tax inside %p at %p ppm: %p", (gross, ppm, expected) => {
    expect(includedTax(gross, ppm)).toBe(expected);
  });

  it.each([
    [100n, [1n, 1n, 1n], [34n, 33n, 33n]],
    [10n, [1n, 2n, 3n, 4n], [1n, 2n, 3n, 4n]],
    [5n, [0n, 0n], [3n, 2n]],
    [0n, [3n, 7n], [0n, 0n]],
    [-100n, [1n, 1n, 1n], [-34n, -33n, -33n]],
    [7n, [1000n, 1n], [7n, 0n]],
    [2n, [1n, 1n, 1n], [1n, 1n, 0n]],
  ])("allocates %p across %p as %p", (total, weights, expected) => {
    expect(allocate(total, weights)).toEqual(expected);
  });

  it("refuses negative weights and a non-zero amount across no weights", () => {
    expect(() => allocate(1n, [])).toThrow(RangeError);
    expect(() => allocate(1n, [1n, -1n])).toThrow(RangeError);
    expect(allocate(0n, [])).toEqual([]);
  });

  it("parses and formats percentages without floats", () => {
    expect(parsePercent("20")).toBe(200_000n);
    expect(parsePercent("8.875")).toBe(88_750n);
    expect(parsePercent("100")).toBe(1_000_000n);
    expect(parsePercent("100.01")).toBeNull();
    expect(parsePercent("-1")).toBeNull();
    expect(parsePercent("1.23456")).toBeNull();
    expect(formatPercent(88_750n)).toBe("8.875");
    expect(formatPercent(200_000n)).toBe("20");
    expect(formatPercent(0n)).toBe("0");
  });

  describe("properties", () => {
    it("allocation always sums exactly to the amount, each part within one unit of its exact share", () => {
      fc.assert(
        fc.property(
          minor,
          fc.array(fc.bigInt({ min: 0n, max: 1_000_000n }), { minLength: 1, maxLength: 20 }),
          (total, weights) => {
            const parts = allocate(total, weights);
            expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
            const weightSum = weights.reduce((a, b) => a + b, 0n);
            if (weightSum === 0n) return;
            parts.forEach((part, index) => {
              const exactTimesSum = total * weights[index]!;
              // |part × Σw − total × w| < Σw
              const gap = part * weightSum - exactTimesSum;
              expect(gap < weightSum && -gap < weightSum).toBe(true);
            });
          },
        ),
      );
    });

    it("half-even rounding is within half a unit, and a tie lands on an even number", () => {
      fc.assert(
        fc.property(minor, fc.bigInt({ min: 1n, max: 1_000_000n }), (numerator, denominator) => {
          const rounded = divideHalfEven(numerator, denominator);
          const gap = rounded * denominator - numerator;
          const twice = gap * 2n;
          expect(twice <= denominator && -twice <= denominator).toBe(true);
          if (twice === denominator || -twice === denominator) expect(rounded % 2n).toBe(0n);
        }),
      );
    });

    it("a percentage of a non-negative amount stays between zero and the amount", () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: 10_000_000_000n }),
          fc.bigInt({ min: 0n, max: 1_000_000n }),
          (base, ppm) => {
            const part = percentage(base, ppm);
            expect(part >= 0n && part <= base).toBe(true);
            const tax = includedTax(base, ppm);
            expect(tax >= 0n && tax <= base).toBe(true);
          },
        ),
      );
    });

    it("adding then subtracting gives the amount back; different currencies always throw", () => {
      fc.assert(
        fc.property(minor, minor, currency, currency, (a, b, ca, cb) => {
          if (ca === cb) {
            expect(subtract(add(amount(a, ca), amount(b, cb)), amount(b, cb))).toEqual(amount(a, ca));
          } else {
            expect(() => add(amount(a, ca), amount(b, cb))).toThrow(CurrencyMismatchError);
          }
        }),
      );
    });
  });
});
