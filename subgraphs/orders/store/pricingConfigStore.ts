import type { Destination, Discount, ShippingRate, ShippingZone, TaxRate } from "../domain/pricing/pricingTypes";
import type { Discount as DiscountRow, ShippingMethod as MethodRow } from "../generated/prisma/client";
import type { OrdersReader } from "./database";

/** How many zones, methods a zone, tax rates and automatic promotions the shop keeps (bounded reads). */
export const configLimits = { zones: 200, methodsPerZone: 20, taxRates: 1000, promotions: 100 } as const;

type BandRow = { upToGrams?: number | null; fromMinor?: string; amountMinor: string };

/** A stored method's rate as the pricing function reads it. */
export function rateOf(method: MethodRow): ShippingRate {
  const bands = (method.bands as BandRow[] | null) ?? [];
  switch (method.rateKind) {
    case "FLAT":
      return { kind: "FLAT", amountMinor: method.amountMinor };
    case "WEIGHT":
      return {
        kind: "WEIGHT",
        bands: bands.map((band) => ({ upToGrams: band.upToGrams ?? null, amountMinor: BigInt(band.amountMinor) })),
      };
    case "ORDER_VALUE":
      return {
        kind: "ORDER_VALUE",
        bands: bands.map((band) => ({
          fromMinor: BigInt(band.fromMinor ?? "0"),
          amountMinor: BigInt(band.amountMinor),
        })),
      };
  }
}

/** Every zone with its methods priced in `currency`, oldest zone first (the order `zoneFor` breaks ties by). */
export async function loadShippingZones(db: OrdersReader, currency: string): Promise<ShippingZone[]> {
  const zones = await db.shippingZone.findMany({
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: configLimits.zones,
    include: { methods: { where: { currency }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  return zones.map((zone) => ({
    id: zone.id,
    name: zone.name,
    areas: zone.areas as unknown as Destination[],
    methods: zone.methods.map((method) => ({
      id: method.id,
      name: method.name,
      rate: rateOf(method),
      freeAboveMinor: method.freeAboveMinor,
    })),
  }));
}

/** The tax rates of one country (all a destination there can need). */
export async function loadTaxRates(db: OrdersReader, country: string): Promise<TaxRate[]> {
  const rows = await db.taxRate.findMany({ where: { country }, take: configLimits.taxRates });
  return rows.map((row) => ({
    country: row.country,
    region: row.region === "" ? null : row.region,
    taxCategory: row.taxCategory,
    ratePpm: BigInt(row.ratePpm),
  }));
}

export async function loadPricesIncludeTax(db: OrdersReader): Promise<boolean> {
  const settings = await db.shopSettings.findUnique({ where: { id: 1 } });
  return settings?.pricesIncludeTax ?? false;
}

/** A stored discount as the pricing function reads it, with this customer's uses. */
export function discountOf(row: DiscountRow, customerUses: number): Discount {
  return {
    id: row.id,
    title: row.title,
    code: row.code,
    kind: row.kind,
    valuePpm: BigInt(row.valuePpm),
    amountMinor: row.amountMinor,
    currency: row.currency,
    productIds: row.productIds,
    categoryIds: row.categoryIds,
    buyQuantity: row.buyQuantity,
    getQuantity: row.getQuantity,
    minSubtotalMinor: row.minSubtotalMinor,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    active: row.active,
    usageLimit: row.usageLimit,
    timesUsed: row.used + row.held,
    perCustomerLimit: row.perCustomerLimit,
    customerUses,
    combinable: row.combinable,
  };
}

async function usesOf(db: OrdersReader, customerId: string | null, ids: string[]): Promise<Map<string, number>> {
  if (!customerId || ids.length === 0) return new Map();
  const rows = await db.discountCustomerUse.findMany({ where: { buyerKey: customerId, discountId: { in: ids } } });
  return new Map(rows.map((row) => [row.discountId, row.uses]));
}

/** The discounts the codes name (upper case), and the automatic promotions active now, with the customer's uses. */
export async function loadDiscounts(
  db: OrdersReader,
  codes: readonly string[],
  customerId: string | null,
  now: Date,
): Promise<{ codeDiscounts: Discount[]; promotions: Discount[] }> {
  const byCode = codes.length ? await db.discount.findMany({ where: { code: { in: [...codes] } } }) : [];
  const automatic = await db.discount.findMany({
    where: {
      code: null,
      active: true,
      OR: [{ startsAt: null }, { startsAt: { lte: now } }],
      AND: [{ OR: [{ endsAt: null }, { endsAt: { gt: now } }] }],
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: configLimits.promotions,
  });
  const uses = await usesOf(
    db,
    customerId,
    [...byCode, ...automatic].map((row) => row.id),
  );
  return {
    codeDiscounts: byCode.map((row) => discountOf(row, uses.get(row.id) ?? 0)),
    promotions: automatic.map((row) => discountOf(row, uses.get(row.id) ?? 0)),
  };
}
