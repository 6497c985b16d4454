import fc from "fast-check";
import { maximumChargeMinor, minimumChargeMinor, payability } from "../payability";

const currencies = Object.keys(minimumChargeMinor);

describe("whether an order's total can be paid", () => {
  it.each([
    [0n, "USD", "AMOUNT_TOO_SMALL"],
    [49n, "USD", "AMOUNT_TOO_SMALL"],
    [50n, "USD", null],
    [29n, "GBP", "AMOUNT_TOO_SMALL"],
    [30n, "GBP", null],
    [299n, "SEK", "AMOUNT_TOO_SMALL"],
    [99_999_999n, "EUR", null],
    [100_000_000n, "EUR", "AMOUNT_TOO_LARGE"],
    [1_000n, "JPY", "UNSUPPORTED_CURRENCY"],
    [1_000n, "usd", "UNSUPPORTED_CURRENCY"],
  ])("%p %s: %s", (amountMinor, currency, reason) => {
    const answer = payability({ amountMinor, currency });
    expect(answer.payable ? null : answer.reason).toBe(reason);
  });

  it("says what would do, in the customer's terms", () => {
    expect(payability({ amountMinor: 10n, currency: "USD" })).toEqual({
      payable: false,
      reason: "AMOUNT_TOO_SMALL",
      message: "An order must come to at least 0.50 USD to be paid by card.",
    });
    expect(payability({ amountMinor: 100_000_000n, currency: "USD" })).toMatchObject({
      message: "An order can come to at most 999999.99 USD to be paid by card.",
    });
  });

  it("takes every amount from a currency's minimum to the maximum, and none outside", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...currencies),
        fc.bigInt({ min: -10n, max: maximumChargeMinor * 2n }),
        (currency, amountMinor) => {
          const inRange = amountMinor >= minimumChargeMinor[currency]! && amountMinor <= maximumChargeMinor;
          expect(payability({ amountMinor, currency }).payable).toBe(inRange);
        },
      ),
    );
  });

  it("refuses every currency it does not list, whatever the amount", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 3, maxLength: 3 }).filter((code) => !currencies.includes(code)),
        fc.bigInt({ min: 0n, max: maximumChargeMinor }),
        (currency, amountMinor) => {
          expect(payability({ amountMinor, currency })).toMatchObject({
            payable: false,
            reason: "UNSUPPORTED_CURRENCY",
          });
        },
      ),
    );
  });
});
