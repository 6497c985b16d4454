import type { Destination, Discount, ShippingRate, ShippingZone, TaxRate } from "../domain/pricing/pricingTypes";
import type { Discount as DiscountRow, ShippingMethod as MethodRow } from "../generated/prisma/client";
import { sql, statement } from "../../common/database/sqlPool";
import type { OrdersReader } from "./database";

/** How many zones, methods a zone, tax rates and automatic promotions the shop keeps (bounded reads). */
export const configLimits = { zones: 200, methodsPerZone: 20, taxRates: 1000, promotions: 100 } as const;

type BandRow = { upToGrams?: number | null; fromMinor?: string; amountMinor: string };

/** A stored method's rate as the pricing function reads it. */
export function rateOf(method: Pick<MethodRow, "rateKind" | "amountMinor" | "bands">): ShippingRate {
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

/** Everything the pricing of one checkout reads, as one statement's rows (JSON, minor units as text). */
export interface ConfigurationRow {
  zones: Array<{
    id: string;
    name: string;
    areas: Destination[];
    methods: Array<{
      id: string;
      name: string;
      rate_kind: MethodRow["rateKind"];
      amount_minor: string;
      bands: BandRow[];
      free_above_minor: string | null;
      currency: string;
    }> | null;
  }> | null;
  rates: Array<{ country: string; region: string; tax_category: TaxRate["taxCategory"]; rate_ppm: number }> | null;
  prices_include_tax: boolean | null;
  discounts: Array<Record<string, unknown>> | null;
  uses: Array<{ discount_id: string; uses: number }> | null;
}

export interface PricingConfiguration {
  zones: ShippingZone[];
  taxRates: TaxRate[];
  pricesIncludeTax: boolean;
  codeDiscounts: Discount[];
  promotions: Discount[];
}

const discountFromJson = (row: Record<string, unknown>, customerUses: number): Discount =>
  discountOf(
    {
      id: row.id as string,
      title: row.title as string,
      code: (row.code as string | null) ?? null,
      kind: row.kind as DiscountRow["kind"],
      valuePpm: row.value_ppm as number,
      amountMinor: BigInt(row.amount_minor as string),
      currency: row.currency as string,
      productIds: (row.product_ids as string[] | null) ?? [],
      categoryIds: (row.category_ids as string[] | null) ?? [],
      buyQuantity: row.buy_quantity as number,
      getQuantity: row.get_quantity as number,
      minSubtotalMinor: BigInt(row.min_subtotal_minor as string),
      startsAt: row.starts_at ? new Date(row.starts_at as string) : null,
      endsAt: row.ends_at ? new Date(row.ends_at as string) : null,
      active: row.active as boolean,
      usageLimit: (row.usage_limit as number | null) ?? null,
      perCustomerLimit: (row.per_customer_limit as number | null) ?? null,
      combinable: row.combinable as boolean,
      used: row.used as number,
      held: row.held as number,
      createdAt: new Date(row.created_at as string),
      updatedAt: new Date(row.updated_at as string),
    },
    customerUses,
  );

/**
 * The placeholders (or SQL expressions) of the configuration's parameters, for the configuration
 * read by its own statement or inside another one (the checkout's read, `readCheckout`).
 * `currency` null: every currency's methods (each says its own; `configurationOf` keeps one).
 */
export interface ConfigurationParameters {
  codes: string;
  now: string;
  limit: string;
  zones: string;
  currency: string | null;
  country: string;
  taxRates: string;
  buyerKey: string;
}

/** The discounts the codes name and the automatic promotions active at `now`: the CTE `chosen`. */
export const chosenDiscounts = (p: ConfigurationParameters) => `chosen AS (
     SELECT * FROM discounts
      WHERE code = ANY(${p.codes})
         OR (code IS NULL AND active AND (starts_at IS NULL OR starts_at <= ${p.now})
             AND (ends_at IS NULL OR ends_at > ${p.now}))
      ORDER BY created_at, id
      LIMIT ${p.limit}
   )`;

/** The configuration's columns (`ConfigurationRow`), after the CTE `chosen`. */
export const configurationColumns = (p: ConfigurationParameters) => `
     (SELECT json_agg(z ORDER BY z.created_at, z.id) FROM (
        SELECT zone.id, zone.name, zone.areas, zone.created_at,
               (SELECT json_agg(json_build_object('id', m.id, 'name', m.name, 'rate_kind', m.rate_kind,
                                'amount_minor', m.amount_minor::text, 'bands', m.bands,
                                'free_above_minor', m.free_above_minor::text, 'currency', m.currency)
                                ORDER BY m.created_at, m.id)
                  FROM shipping_methods m
                 WHERE m.zone_id = zone.id${p.currency === null ? "" : ` AND m.currency = ${p.currency}`}) AS methods
          FROM shipping_zones zone ORDER BY zone.created_at, zone.id LIMIT ${p.zones}) z) AS zones,
     (SELECT json_agg(t) FROM (SELECT country, region, tax_category, rate_ppm FROM tax_rates
                                WHERE country = ${p.country} LIMIT ${p.taxRates}) t) AS rates,
     (SELECT prices_include_tax FROM shop_settings WHERE id = 1) AS prices_include_tax,
     (SELECT json_agg(json_build_object('id', c.id, 'title', c.title, 'code', c.code, 'kind', c.kind,
                      'value_ppm', c.value_ppm, 'amount_minor', c.amount_minor::text, 'currency', c.currency,
                      'product_ids', c.product_ids, 'category_ids', c.category_ids, 'buy_quantity', c.buy_quantity,
                      'get_quantity', c.get_quantity, 'min_subtotal_minor', c.min_subtotal_minor::text,
                      'starts_at', c.starts_at, 'ends_at', c.ends_at, 'active', c.active, 'usage_limit', c.usage_limit,
                      'per_customer_limit', c.per_customer_limit, 'combinable', c.combinable, 'used', c.used,
                      'held', c.held, 'created_at', c.created_at, 'updated_at', c.updated_at)
                      ORDER BY c.created_at, c.id) FROM chosen c) AS discounts,
     (SELECT json_agg(u) FROM (SELECT discount_id, uses FROM discount_customer_uses
                                WHERE buyer_key = ${p.buyerKey}
                                  AND discount_id IN (SELECT id FROM chosen)) u) AS uses`;

/** Everything the pricing of one checkout reads, as one named statement (see `loadPricingConfiguration`). */
const configurationStatement = (() => {
  const p: ConfigurationParameters = {
    codes: "$1::text[]",
    now: "$2::timestamptz",
    limit: "$3::int",
    zones: "$4::int",
    currency: "$5::text",
    country: "$6::text",
    taxRates: "$7::int",
    buyerKey: "$8::text",
  };
  return statement(
    "orders.pricing.configuration",
    `WITH ${chosenDiscounts(p)}
   SELECT ${configurationColumns(p)}`,
  );
})();

/**
 * The configuration a statement's row holds (`configurationColumns`), with the shipping methods
 * of `currency` only.
 */
export function configurationOf(row: ConfigurationRow | undefined, currency: string): PricingConfiguration {
  const uses = new Map((row?.uses ?? []).map((use) => [use.discount_id, use.uses] as const));
  const discounts = (row?.discounts ?? []).map((each) => discountFromJson(each, uses.get(each.id as string) ?? 0));
  return {
    zones: (row?.zones ?? []).map((zone) => ({
      id: zone.id,
      name: zone.name,
      areas: zone.areas,
      methods: (zone.methods ?? [])
        .filter((method) => method.currency === currency)
        .map((method) => ({
          id: method.id,
          name: method.name,
          rate: rateOf({ rateKind: method.rate_kind, amountMinor: BigInt(method.amount_minor), bands: method.bands }),
          freeAboveMinor: method.free_above_minor === null ? null : BigInt(method.free_above_minor),
        })),
    })),
    taxRates: (row?.rates ?? []).map((rate) => ({
      country: rate.country,
      region: rate.region === "" ? null : rate.region,
      taxCategory: rate.tax_category,
      ratePpm: BigInt(rate.rate_ppm),
    })),
    pricesIncludeTax: row?.prices_include_tax ?? false,
    codeDiscounts: discounts.filter((each) => each.code !== null),
    promotions: discounts.filter((each) => each.code === null),
  };
}

/**
 * The shop's configuration that applies to one checkout, in one statement (it runs on every
 * checkout and every priced cart, so it takes one connection of the pool once): the zones with
 * their methods in the checkout's currency, the destination country's tax rates, the shop
 * setting, the discounts the codes name and the automatic promotions active now, and the
 * buyer's uses of them.
 */
export async function loadPricingConfiguration(
  db: OrdersReader,
  request: {
    currency: string;
    country: string | null;
    codes: readonly string[];
    /** Whose uses count against per-customer limits (see discountBuyerKey); null: nobody's yet. */
    buyerKey: string | null;
    now: Date;
  },
): Promise<PricingConfiguration> {
  const [row] = await sql<ConfigurationRow>(db, configurationStatement, [
    [...request.codes],
    request.now,
    configLimits.promotions + request.codes.length,
    configLimits.zones,
    request.currency,
    request.country ?? "",
    configLimits.taxRates,
    request.buyerKey,
  ]);
  return configurationOf(row, request.currency);
}
