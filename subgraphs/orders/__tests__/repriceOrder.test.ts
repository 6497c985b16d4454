import fc from "fast-check";
import { DomainError } from "../../common/errors";
import { planEdit, validateEdit } from "../domain/edits/editPlan";
import { repriceOrder, repricingProblem, type OrderPricingFacts } from "../domain/edits/repriceOrder";
import { priceCheckout } from "../domain/pricing/priceCheckout";
import type { Discount, PricingLine, ShippingZone, TaxRate } from "../domain/pricing/pricingTypes";
import { paidLines } from "../domain/returns/refundShare";
import { orderPricing } from "../domain/pricing/orderPricing";
import { pricingDiscount, pricingLine } from "./support/pricingFixtures";

const placedAt = new Date("2026-12-01T10:00:00.000Z");

const zones: ShippingZone[] = [
  {
    id: "zone-gb",
    name: "Domestic",
    areas: [{ country: "GB", region: null }],
    methods: [
      { id: "gb-standard", name: "Standard", rate: { kind: "FLAT", amountMinor: 499n }, freeAboveMinor: 5000n },
    ],
  },
];
const taxRates: TaxRate[] = [{ country: "GB", region: null, taxCategory: "STANDARD", ratePpm: 200_000n }];

const line = pricingLine;
const discount = pricingDiscount;

const order: OrderPricingFacts = {
  currency: "GBP",
  placedAt,
  destination: { country: "GB", region: null },
  shippingMethodId: "gb-standard",
  pricesIncludeTax: false,
};

/** The order as checkout priced it: the same function, the same inputs. */
const atCheckout = (lines: PricingLine[], discounts: Discount[]) =>
  priceCheckout({
    currency: "GBP",
    lines,
    destination: order.destination,
    shippingMethodId: order.shippingMethodId,
    zones,
    taxRates,
    codes: discounts.flatMap((each) => (each.code ? [each.code] : [])),
    codeDiscounts: discounts.filter((each) => each.code),
    promotions: discounts.filter((each) => !each.code),
    pricesIncludeTax: false,
    now: placedAt,
  });

describe("repricing what remains of an order", () => {
  const save10 = discount({ id: "save10", code: "SAVE10", kind: "FIXED_AMOUNT", amountMinor: 1000n });
  const big = discount({
    id: "big",
    code: "BIG",
    kind: "PERCENTAGE",
    valuePpm: 100_000n,
    minSubtotalMinor: 6000n,
  });

  it("prices the whole order exactly as checkout did", () => {
    const lines = [line(0, 4000n, 1), line(1, 3000n, 1)];
    expect(repriceOrder(order, lines, { zones, taxRates, discounts: [save10] })).toEqual(atCheckout(lines, [save10]));
  });

  it("allocates a fixed discount again over the remaining line when a discounted line goes", () => {
    const before = repriceOrder(order, [line(0, 4000n, 1), line(1, 3000n, 1)], {
      zones,
      taxRates,
      discounts: [save10],
    });
    expect(before.discounts[0]!.lines.map((each) => each.amountMinor)).toEqual([571n, 429n]);
    const after = repriceOrder(order, [line(0, 4000n, 1)], { zones, taxRates, discounts: [save10] });
    expect(after.discounts).toHaveLength(1);
    expect(after.discounts[0]!.lines).toEqual([{ lineId: "0", amountMinor: 1000n }]);
    // 40.00 − 10.00 = 30.00 < 50.00: shipping is no longer free (4.99), tax 20 % on both.
    expect(after.subtotalMinor).toBe(4000n);
    expect(after.shippingMinor).toBe(499n);
    expect(after.totalMinor).toBe(3000n + 600n + 499n + 100n);
  });

  it("drops a code whose minimum subtotal is no longer met, and keeps the rest of the pricing", () => {
    const lines = [line(0, 4000n, 1), line(1, 3000n, 1)];
    const before = repriceOrder(order, lines, { zones, taxRates, discounts: [big] });
    expect(before.discounts.map((each) => each.discountId)).toEqual(["big"]);
    const after = repriceOrder(order, [line(0, 4000n, 1), line(1, 3000n, 0)], { zones, taxRates, discounts: [big] });
    expect(after.discounts).toEqual([]);
    expect(after.discountMinor).toBe(0n);
  });

  it("judges a discount as at placement: an expired date, a used-up limit or an inactive code keep it", () => {
    const ended = discount({
      id: "ended",
      code: "ENDED",
      kind: "FIXED_AMOUNT",
      amountMinor: 500n,
      endsAt: new Date("2026-12-01T11:00:00.000Z"),
      usageLimit: 1,
      timesUsed: 1,
      perCustomerLimit: 1,
      customerUses: 1,
      active: false,
    });
    const priced = repriceOrder(order, [line(0, 2000n, 2)], { zones, taxRates, discounts: [ended] });
    expect(priced.discounts.map((each) => each.discountId)).toEqual(["ended"]);
  });

  it("charges no shipping for an order placed without a method, whatever zones exist now", () => {
    const priced = repriceOrder({ ...order, shippingMethodId: null }, [line(0, 1000n, 1)], {
      zones,
      taxRates,
      discounts: [],
    });
    expect(priced.shippingMinor).toBe(0n);
    expect(priced.totalMinor).toBe(1200n);
  });

  it("refuses a remainder that would cost more than the order paid, or whose method is gone", () => {
    // 45 + 10 = 55 ships free; 45 alone pays 4.99 shipping and still costs less (with tax: 59.99 < 66.00).
    const paid = repriceOrder(order, [line(0, 4500n, 1), line(1, 1000n, 1)], { zones, taxRates, discounts: [] });
    const less = repriceOrder(order, [line(0, 4500n, 1)], { zones, taxRates, discounts: [] });
    expect(repricingProblem(less, paid.totalMinor)).toBeNull();
    // 49.50 + 1.00 ships free (60.60 with tax); 49.50 alone pays shipping: 65.39, more than was paid.
    const small = repriceOrder(order, [line(0, 4950n, 1), line(1, 100n, 1)], { zones, taxRates, discounts: [] });
    const rest = repriceOrder(order, [line(0, 4950n, 1)], { zones, taxRates, discounts: [] });
    expect(small.totalMinor).toBe(6060n);
    expect(rest.totalMinor).toBe(6539n);
    expect(repricingProblem(rest, small.totalMinor)).toMatch(/costs more/);
    const gone = repriceOrder({ ...order, shippingMethodId: "gone" }, [line(0, 100n, 1)], {
      zones,
      taxRates,
      discounts: [],
    });
    expect(repricingProblem(gone, 10_000n)).toMatch(/shipping method/);
  });

  it("whatever lines are cut, the remaining lines and shipping pay exactly the new total", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 9_999 }), fc.integer({ min: 1, max: 5 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 6, maxLength: 6 }),
        fc.constantFrom<Discount[]>([], [save10], [big], [save10, big]),
        (original, cuts, discounts) => {
          const lines = original.map(([unit, quantity], index) => line(index, BigInt(unit), quantity));
          const kept = lines
            .map((each, index) => ({ ...each, quantity: Math.max(0, each.quantity - cuts[index]!) }))
            .filter((each) => each.quantity > 0);
          if (kept.length === 0) return;
          const priced = repriceOrder(order, kept, { zones, taxRates, discounts });
          const rows = orderPricing(priced);
          const items = kept.map((each) => ({
            id: each.lineId,
            position: Number(each.lineId),
            unitPriceMinor: each.unitPriceMinor,
            quantity: each.quantity,
          }));
          const paid = paidLines(rows, items, rows);
          expect(paid.reduce((sum, each) => sum + each.amountMinor, 0n)).toBe(priced.totalMinor);
          for (const each of paid) expect(each.amountMinor >= 0n).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("an edit's input and plan", () => {
  const a = "00000000-0000-4000-8000-00000000000a";
  const b = "00000000-0000-4000-8000-00000000000b";
  const items = [
    { id: a, position: 0, quantity: 2 },
    { id: b, position: 1, quantity: 1 },
  ];
  const codeOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (error instanceof DomainError) return [error.code, (error as unknown as { field?: string }).field];
      throw error;
    }
    return null;
  };

  it("takes units away, and removes a line at 0", () => {
    expect(planEdit(items, [{ orderItemId: b, quantity: 0 }])).toEqual([
      { orderItemId: b, position: 1, previousQuantity: 1, quantity: 0 },
    ]);
  });

  it.each([
    ["no lines", { lines: [] }, ["BAD_USER_INPUT", "lines"]],
    ["a negative quantity", { lines: [{ orderItemId: a, quantity: -1 }] }, ["BAD_USER_INPUT", "lines.0.quantity"]],
    [
      "a line named twice",
      {
        lines: [
          { orderItemId: a, quantity: 1 },
          { orderItemId: a, quantity: 0 },
        ],
      },
      ["BAD_USER_INPUT", "lines.1.orderItemId"],
    ],
    [
      "a line id that is no id",
      { lines: [{ orderItemId: "x", quantity: 1 }] },
      ["BAD_USER_INPUT", "lines.0.orderItemId"],
    ],
    [
      "too many lines",
      { lines: Array.from({ length: 51 }, () => ({ orderItemId: a, quantity: 0 })) },
      ["BAD_USER_INPUT", "lines"],
    ],
    ["an empty key", { idempotencyKey: " " }, ["BAD_USER_INPUT", "idempotencyKey"]],
  ])("refuses %s", (_name, fields, expected) => {
    expect(
      codeOf(() =>
        validateEdit({ orderId: a, idempotencyKey: "k", lines: [{ orderItemId: a, quantity: 1 }], ...fields }),
      ),
    ).toEqual(expected);
  });

  it.each([
    [
      "an unknown line",
      [{ orderItemId: "00000000-0000-4000-8000-00000000000c", quantity: 0 }],
      ["BAD_USER_INPUT", "lines.0.orderItemId"],
    ],
    ["more units than the line has", [{ orderItemId: a, quantity: 3 }], ["BAD_USER_INPUT", "lines.0.quantity"]],
    ["an edit that changes nothing", [{ orderItemId: a, quantity: 2 }], ["BAD_USER_INPUT", "lines"]],
    [
      "removing every unit",
      [
        { orderItemId: a, quantity: 0 },
        { orderItemId: b, quantity: 0 },
      ],
      ["CONFLICT", "lines"],
    ],
  ])("refuses %s against the order's lines", (_name, lines, expected) => {
    expect(codeOf(() => planEdit(items, lines))).toEqual(expected);
  });

  it("fingerprints the same edit alike in any order, and another edit differently", () => {
    const one = validateEdit({
      orderId: a,
      idempotencyKey: "k",
      lines: [
        { orderItemId: a, quantity: 1 },
        { orderItemId: b, quantity: 0 },
      ],
    });
    const same = validateEdit({
      orderId: a,
      idempotencyKey: "k",
      lines: [
        { orderItemId: b, quantity: 0 },
        { orderItemId: a, quantity: 1 },
      ],
    });
    const other = validateEdit({ orderId: a, idempotencyKey: "k", lines: [{ orderItemId: b, quantity: 0 }] });
    expect(one.hash).toBe(same.hash);
    expect(other.hash).not.toBe(one.hash);
  });
});
