import { BadUserInputError } from "../errors";
import { formatAmount, fromMoney, parseAmount, parseCurrency, toMoney } from "../money";

describe("money", () => {
  it("parses decimal strings into exact minor units", () => {
    expect(parseAmount("19.99", "price")).toBe(1999n);
    expect(parseAmount("19.9", "price")).toBe(1990n);
    expect(parseAmount("19", "price")).toBe(1900n);
    expect(parseAmount("0.01", "price")).toBe(1n);
    expect(parseAmount(" 5.00 ", "price")).toBe(500n);
    expect(parseAmount("99999999.99", "price")).toBe(9_999_999_999n);
  });

  it.each(["19.999", "-1.00", "abc", "", "1e3", "1.", ".5", "1,00", "123456789.00"])(
    "rejects %p naming the field",
    (value) => {
      expect(() => parseAmount(value, "price")).toThrow(BadUserInputError);
      try {
        parseAmount(value, "price");
      } catch (error) {
        expect((error as BadUserInputError).field).toBe("price");
      }
    },
  );

  it("formats minor units with two decimals, never through a float", () => {
    expect(formatAmount(1999n)).toBe("19.99");
    expect(formatAmount(5n)).toBe("0.05");
    expect(formatAmount(0n)).toBe("0.00");
    expect(formatAmount(-250n)).toBe("-2.50");
    // 0.1 + 0.2 style sums stay exact.
    expect(formatAmount(parseAmount("0.10", "a") + parseAmount("0.20", "b"))).toBe("0.30");
    expect(formatAmount(900719925474099312n)).toBe("9007199254740993.12");
  });

  it("round-trips Money through events", () => {
    expect(toMoney(1999n, "USD")).toEqual({ amount: "19.99", currency: "USD" });
    expect(fromMoney({ amount: "19.99", currency: "USD" })).toBe(1999n);
    expect(fromMoney({ amount: "-0.50", currency: "USD" })).toBe(-50n);
  });

  it("defaults the currency to USD and accepts only supported currencies", () => {
    expect(parseCurrency(undefined, "currency")).toBe("USD");
    expect(parseCurrency("eur", "currency")).toBe("EUR");
    expect(() => parseCurrency("XYZ", "currency")).toThrow(/Unsupported currency/);
  });
});
