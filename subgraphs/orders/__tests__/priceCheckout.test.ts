import fc from "fast-check";
import { maxAppliedDiscounts, priceCheckout } from "../domain/pricing/priceCheckout";
import type { PricingInput, ShippingZone, TaxRate } from "../domain/pricing/pricingTypes";
import { pricingDiscount, pricingLine } from "./support/pricingFixtures";

const now = new Date("2026-12-01T12:00:00.000Z");

const zones: ShippingZone[] = [
  {
    id: "zone-gb",
    name: "Domestic",
    areas: [{ country: "GB", region: null }],
    methods: [
      { id: "gb-standard", name: "Standard", rate: { kind: "FLAT", amountMinor: 499n }, freeAboveMinor: 5000n },
      { id: "gb-express", name: "Express", rate: { kind: "FLAT", amountMinor: 999n }, freeAboveMinor: null },
    ],
  },
  {
    id: "zone-eu",
    name: "Europe",
    areas: [
      { country: "DE", region: null },
      { country: "FR", region: null },
    ],
    methods: [
      {
        id: "eu-post",
        name: "Post",
        rate: {
          kind: "WEIGHT",
          bands: [
            { upToGrams: 5000, amountMinor: 1500n },
            { upToGrams: 1000, amountMinor: 800n },
          ],
        },
        freeAboveMinor: null,
      },
    ],
  },
  {
    id: "zone-us",
    name: "United States",
    areas: [{ country: "US", region: null }],
    methods: [
      {
        id: "us-ground",
        name: "Ground",
        rate: {
          kind: "ORDER_VALUE",
          bands: [
            { fromMinor: 0n, amountMinor: 1200n },
            { fromMinor: 10000n, amountMinor: 600n },
          ],
        },
        freeAboveMinor: null,
      },
    ],
  },
  {
    id: "zone-us-hi",
    name: "Hawaii",
    areas: [{ country: "US", region: "HI" }],
    methods: [{ id: "hi-air", name: "Air", rate: { kind: "FLAT", amountMinor: 2500n }, freeAboveMinor: null }],
  },
];

const taxRates: TaxRate[] = [
  { country: "GB", region: null, taxCategory: "STANDARD", ratePpm: 200_000n },
  { country: "GB", region: null, taxCategory: "REDUCED", ratePpm: 50_000n },
  { country: "GB", region: null, taxCategory: "ZERO", ratePpm: 0n },
  { country: "DE", region: null, taxCategory: "STANDARD", ratePpm: 190_000n },
  { country: "DE", region: null, taxCategory: "REDUCED", ratePpm: 70_000n },
  { country: "US", region: "NY", taxCategory: "STANDARD", ratePpm: 88_750n },
];

const line = pricingLine;
const discount = pricingDiscount;

const save5 = discount({ id: "save5", code: "SAVE5", kind: "FIXED_AMOUNT", amountMinor: 500n });
const tenOff = discount({ id: "ten-off", title: "Winter sale", kind: "PERCENTAGE", valuePpm: 100_000n });
const only20 = discount({ id: "only20", code: "ONLY20", kind: "PERCENTAGE", valuePpm: 200_000n, combinable: false });
const big = discount({ id: "big", code: "BIG", kind: "PERCENTAGE", valuePpm: 100_000n, minSubtotalMinor: 10_000n });
const expired = discount({
  id: "old",
  code: "OLD",
  kind: "FIXED_AMOUNT",
  amountMinor: 100n,
  endsAt: new Date("2026-11-30T00:00:00Z"),
});
const future = discount({
  id: "soon",
  code: "SOON",
  kind: "FIXED_AMOUNT",
  amountMinor: 100n,
  startsAt: new Date("2026-12-24T00:00:00Z"),
});
const freeShip = discount({ id: "ship", code: "FREESHIP", kind: "FREE_SHIPPING" });
const buy2get1 = discount({
  id: "b2g1",
  title: "3 for 2",
  kind: "BUY_X_GET_Y",
  buyQuantity: 2,
  getQuantity: 1,
  valuePpm: 1_000_000n,
});
const halfOffB = discount({ id: "half-b", code: "HALFB", kind: "PERCENTAGE", valuePpm: 500_000n, productIds: ["p-b"] });
const exhausted = discount({ id: "gone", code: "GONE", kind: "PERCENTAGE", valuePpm: 1n, usageLimit: 5, timesUsed: 5 });
const allCodes = [save5, only20, big, expired, future, freeShip, halfOffB, exhausted];

function input(fields: Partial<PricingInput>): PricingInput {
  return {
    currency: "GBP",
    lines: [],
    destination: { country: "GB", region: null },
    shippingMethodId: null,
    zones,
    taxRates,
    codes: [],
    codeDiscounts: allCodes,
    promotions: [],
    pricesIncludeTax: false,
    now,
    ...fields,
  };
}

describe("priceCheckout: a table of checkouts", () => {
  const cases: Array<{
    name: string;
    input: Partial<PricingInput>;
    expected: { subtotal: bigint; shipping: bigint; discount: bigint; tax: bigint; total: bigint };
    rejected?: Array<[string, string]>;
  }> = [
    {
      name: "domestic address: flat standard shipping, 20 % on the line and on shipping",
      input: { lines: [line("a", 1000n, 2)] },
      // tax: 2000 × 20 % = 400; 499 × 20 % = 99.8 → 100
      expected: { subtotal: 2000n, shipping: 499n, discount: 0n, tax: 500n, total: 2999n },
    },
    {
      name: "foreign address: the weight band that holds 600 g, German rates",
      input: { lines: [line("a", 1000n, 2)], destination: { country: "DE", region: null } },
      // 800 shipping; tax 380 + 152
      expected: { subtotal: 2000n, shipping: 800n, discount: 0n, tax: 532n, total: 3332n },
    },
    {
      name: "reduced-rate product: 5 % on the book, rounded half to even per line",
      input: { lines: [line("book", 1250n, 1, { taxCategory: "REDUCED" }), line("a", 1000n, 1)] },
      // 62.5 → 62; 200; shipping 100
      expected: { subtotal: 2250n, shipping: 499n, discount: 0n, tax: 362n, total: 3111n },
    },
    {
      name: "zero-rated product: a tax line of zero",
      input: { lines: [line("food", 1000n, 1, { taxCategory: "ZERO" })] },
      expected: { subtotal: 1000n, shipping: 499n, discount: 0n, tax: 100n, total: 1599n },
    },
    {
      name: "code plus automatic promotion: the code first, then 10 % of what is left",
      input: { lines: [line("a", 1000n, 3)], codes: ["save5"], promotions: [tenOff] },
      // 500 off, then 10 % of 2500 = 250; tax 2250 × 20 % = 450 + 100
      expected: { subtotal: 3000n, shipping: 499n, discount: 750n, tax: 550n, total: 3299n },
    },
    {
      name: "free shipping above the threshold",
      input: { lines: [line("a", 1000n, 6)] },
      expected: { subtotal: 6000n, shipping: 0n, discount: 0n, tax: 1200n, total: 7200n },
    },
    {
      name: "the threshold looks at the subtotal after discounts",
      input: { lines: [line("a", 1000n, 5)], promotions: [tenOff] },
      // 5000 − 500 = 4500 < 5000: standard shipping is charged
      expected: { subtotal: 5000n, shipping: 499n, discount: 500n, tax: 1000n, total: 5999n },
    },
    {
      name: "a chosen method is priced as chosen",
      input: { lines: [line("a", 1000n, 6)], shippingMethodId: "gb-express" },
      // 6000 + 999 + 1200 + 199.8 → 200
      expected: { subtotal: 6000n, shipping: 999n, discount: 0n, tax: 1400n, total: 8399n },
    },
    {
      name: "buy 2 get 1: the cheapest unit is free",
      input: { lines: [line("a", 1000n, 2), line("b", 500n, 1)], promotions: [buy2get1], destination: null },
      expected: { subtotal: 2500n, shipping: 0n, discount: 500n, tax: 0n, total: 2000n },
    },
    {
      name: "a non-combinable code applies alone: the other code and the promotion do not",
      input: { lines: [line("a", 1000n, 2)], codes: ["ONLY20", "SAVE5"], promotions: [tenOff], destination: null },
      expected: { subtotal: 2000n, shipping: 0n, discount: 400n, tax: 0n, total: 1600n },
      rejected: [["SAVE5", "NOT_COMBINABLE"]],
    },
    {
      name: "a code under its minimum subtotal is rejected",
      input: { lines: [line("a", 1000n, 2)], codes: ["BIG"], destination: null },
      expected: { subtotal: 2000n, shipping: 0n, discount: 0n, tax: 0n, total: 2000n },
      rejected: [["BIG", "MIN_SUBTOTAL"]],
    },
    {
      name: "expired, not yet valid, exhausted and unknown codes are rejected, each with its reason",
      input: { lines: [line("a", 1000n, 1)], codes: ["old", "soon", "gone", "nope"], destination: null },
      expected: { subtotal: 1000n, shipping: 0n, discount: 0n, tax: 0n, total: 1000n },
      rejected: [
        ["NOPE", "UNKNOWN"],
        ["OLD", "EXPIRED"],
        ["SOON", "NOT_STARTED"],
        ["GONE", "EXHAUSTED"],
      ],
    },
    {
      name: "an automatic promotion outside its dates does not apply",
      input: {
        lines: [line("a", 1000n, 1)],
        promotions: [{ ...tenOff, endsAt: new Date("2026-12-01T12:00:00.000Z") }],
        destination: null,
      },
      expected: { subtotal: 1000n, shipping: 0n, discount: 0n, tax: 0n, total: 1000n },
    },
    {
      name: "free shipping code: shipping and its tax are gone",
      input: { lines: [line("a", 1000n, 1)], codes: ["FREESHIP"] },
      expected: { subtotal: 1000n, shipping: 499n, discount: 499n, tax: 200n, total: 1200n },
    },
    {
      name: "a product discount touches only that product",
      input: { lines: [line("a", 1000n, 1), line("b", 999n, 1)], codes: ["HALFB"], destination: null },
      // 50 % of 9.99 = 499.5 → 500 (half-even)
      expected: { subtotal: 1999n, shipping: 0n, discount: 500n, tax: 0n, total: 1499n },
    },
    {
      name: "prices that include tax: the tax is inside the total",
      input: { lines: [line("a", 1200n, 1)], pricesIncludeTax: true },
      // 1200 × 0.2 / 1.2 = 200; 499 × 0.2 / 1.2 = 83.17 → 83
      expected: { subtotal: 1200n, shipping: 499n, discount: 0n, tax: 283n, total: 1699n },
    },
    {
      name: "a region's own zone wins over its country's; no tax rate there, no tax",
      input: { lines: [line("a", 1000n, 1)], currency: "GBP", destination: { country: "US", region: "hi" } },
      expected: { subtotal: 1000n, shipping: 2500n, discount: 0n, tax: 0n, total: 3500n },
    },
    {
      name: "order-value bands: cheaper shipping above 100.00; a region's tax rate",
      input: { lines: [line("a", 10000n, 1)], destination: { country: "US", region: "NY" } },
      // 8.875 % of 10000 = 887.5 → 888; of 600 = 53.25 → 53
      expected: { subtotal: 10000n, shipping: 600n, discount: 0n, tax: 941n, total: 11541n },
    },
  ];

  it.each(cases)("$name", ({ input: fields, expected, rejected }) => {
    const priced = priceCheckout(input(fields));
    expect({
      subtotal: priced.subtotalMinor,
      shipping: priced.shippingMinor,
      discount: priced.discountMinor,
      tax: priced.taxMinor,
      total: priced.totalMinor,
    }).toEqual(expected);
    expect(priced.rejectedCodes.map((each) => [each.code, each.reason])).toEqual(rejected ?? []);
  });

  it("lists the discount allocations with their code or promotion, line by line", () => {
    const priced = priceCheckout(
      input({ lines: [line("a", 1000n, 1), line("b", 2000n, 1)], codes: ["SAVE5"], promotions: [tenOff] }),
    );
    expect(priced.discounts).toEqual([
      {
        discountId: "save5",
        title: "save5",
        code: "SAVE5",
        amountMinor: 500n,
        lines: [
          { lineId: "a", amountMinor: 167n },
          { lineId: "b", amountMinor: 333n },
        ],
        shippingMinor: 0n,
      },
      {
        discountId: "ten-off",
        title: "Winter sale",
        code: null,
        amountMinor: 250n,
        lines: [
          { lineId: "a", amountMinor: 83n },
          { lineId: "b", amountMinor: 167n },
        ],
        shippingMinor: 0n,
      },
    ]);
    expect(priced.taxLines).toEqual([
      { lineId: "a", taxCategory: "STANDARD", ratePpm: 200_000n, taxableMinor: 750n, amountMinor: 150n },
      { lineId: "b", taxCategory: "STANDARD", ratePpm: 200_000n, taxableMinor: 1500n, amountMinor: 300n },
      { lineId: null, taxCategory: "STANDARD", ratePpm: 200_000n, taxableMinor: 499n, amountMinor: 100n },
    ]);
  });

  it("says when the shop does not ship to the destination, or the chosen method is not offered there", () => {
    expect(
      priceCheckout(input({ lines: [line("a", 100n, 1)], destination: { country: "JP", region: null } }))
        .shipsToDestination,
    ).toBe(false);
    const heavy = priceCheckout(
      input({ lines: [line("a", 100n, 1, { weightGrams: 6000 })], destination: { country: "DE", region: null } }),
    );
    expect(heavy.shipsToDestination).toBe(false);
    const wrong = priceCheckout(input({ lines: [line("a", 100n, 1)], shippingMethodId: "eu-post" }));
    expect(wrong.shippingMethodAvailable).toBe(false);
  });

  it("a shop with no shipping zones ships free (as before shipping existed)", () => {
    const priced = priceCheckout(input({ lines: [line("a", 100n, 1)], zones: [], taxRates: [] }));
    expect(priced).toMatchObject({ shippingMinor: 0n, taxMinor: 0n, totalMinor: 100n, shipsToDestination: true });
  });

  it("takes at most maxAppliedDiscounts: the codes first, then automatic promotions until there are that many", () => {
    const promotions = Array.from({ length: 12 }, (_, n) =>
      discount({ id: `auto-${n}`, kind: "FIXED_AMOUNT", amountMinor: 10n }),
    );
    const priced = priceCheckout(
      input({ lines: [line("a", 10_000n, 1)], codes: ["SAVE5", "HALFB"], promotions, zones: [] }),
    );
    expect(priced.discounts).toHaveLength(maxAppliedDiscounts);
    expect(priced.discounts.slice(0, 1).map((each) => each.code)).toEqual(["SAVE5"]);
    expect(priced.rejectedCodes.map((each) => each.code)).toEqual(["HALFB"]);
    expect(priced.discounts.slice(1).map((each) => each.discountId)).toEqual(
      promotions.slice(0, maxAppliedDiscounts - 1).map((each) => each.id),
    );
    expect(priced.discountMinor).toBe(500n + 10n * BigInt(maxAppliedDiscounts - 1));
  });
});

describe("priceCheckout: properties", () => {
  const arbLine = fc.record({
    unit: fc.bigInt({ min: 0n, max: 1_000_000n }),
    quantity: fc.integer({ min: 1, max: 99 }),
    weightGrams: fc.integer({ min: 0, max: 3000 }),
    taxCategory: fc.constantFrom("STANDARD" as const, "REDUCED" as const, "ZERO" as const),
    product: fc.constantFrom("p-1", "p-2", "p-3"),
    category: fc.constantFrom("c-1", "c-2"),
  });
  const arbDiscount = fc.record({
    kind: fc.constantFrom(
      "PERCENTAGE" as const,
      "FIXED_AMOUNT" as const,
      "FREE_SHIPPING" as const,
      "BUY_X_GET_Y" as const,
    ),
    valuePpm: fc.bigInt({ min: 0n, max: 1_000_000n }),
    amountMinor: fc.bigInt({ min: 0n, max: 5_000_000n }),
    currency: fc.constantFrom("GBP", "EUR"),
    productIds: fc.subarray(["p-1", "p-2"]),
    categoryIds: fc.subarray(["c-1"]),
    buyQuantity: fc.integer({ min: 1, max: 3 }),
    getQuantity: fc.integer({ min: 1, max: 2 }),
    minSubtotalMinor: fc.bigInt({ min: 0n, max: 100_000n }),
    combinable: fc.boolean(),
    automatic: fc.boolean(),
  });
  const arbInput = fc.record({
    lines: fc.array(arbLine, { minLength: 1, maxLength: 8 }),
    discounts: fc.array(arbDiscount, { maxLength: 5 }),
    destination: fc.constantFrom(
      null,
      { country: "GB", region: null },
      { country: "DE", region: null },
      { country: "US", region: "NY" },
      { country: "JP", region: null },
    ),
    pricesIncludeTax: fc.boolean(),
  });

  it("totals are never negative, allocations sum to each discount and the discounts to the total discount, in one currency", () => {
    fc.assert(
      fc.property(arbInput, (generated) => {
        const lines = generated.lines.map((each, index) =>
          line(`l${index}`, each.unit, each.quantity, {
            productId: each.product,
            categoryIds: [each.category],
            weightGrams: each.weightGrams,
            taxCategory: each.taxCategory,
          }),
        );
        const discounts = generated.discounts.map((each, index) =>
          discount({ id: `d${index}`, code: each.automatic ? null : `CODE${index}`, ...each }),
        );
        const priced = priceCheckout(
          input({
            lines,
            destination: generated.destination,
            pricesIncludeTax: generated.pricesIncludeTax,
            codes: discounts.flatMap((each) => (each.code ? [each.code] : [])),
            codeDiscounts: discounts.filter((each) => each.code),
            promotions: discounts.filter((each) => !each.code),
          }),
        );
        expect(priced.currency).toBe("GBP");
        for (const value of [
          priced.subtotalMinor,
          priced.shippingMinor,
          priced.discountMinor,
          priced.taxMinor,
          priced.totalMinor,
        ])
          expect(value >= 0n).toBe(true);
        let allocated = 0n;
        const perLine = new Map<string, bigint>();
        for (const each of priced.discounts) {
          const parts = each.lines.reduce((total, part) => total + part.amountMinor, 0n) + each.shippingMinor;
          expect(parts).toBe(each.amountMinor);
          for (const part of each.lines) perLine.set(part.lineId, (perLine.get(part.lineId) ?? 0n) + part.amountMinor);
          allocated += each.amountMinor;
          // A fixed amount in another currency never applies.
          const source = discounts.find((d) => d.id === each.discountId)!;
          if (source.kind === "FIXED_AMOUNT") expect(source.currency).toBe("GBP");
        }
        expect(allocated).toBe(priced.discountMinor);
        for (const each of lines)
          expect((perLine.get(each.lineId) ?? 0n) <= each.unitPriceMinor * BigInt(each.quantity)).toBe(true);
        const beforeTax = priced.subtotalMinor - priced.discountMinor + priced.shippingMinor;
        expect(priced.totalMinor).toBe(generated.pricesIncludeTax ? beforeTax : beforeTax + priced.taxMinor);
        expect(priced.taxLines.every((each) => each.amountMinor >= 0n && each.amountMinor <= each.taxableMinor)).toBe(
          true,
        );
      }),
      { numRuns: 300 },
    );
  });
});
