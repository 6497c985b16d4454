import type { Prisma } from "../generated/prisma/client";
import type { OrdersReader, OrdersTx } from "./database";
import { configLimits } from "./pricingConfigStore";
import type { ValidShippingMethod } from "../domain/settings/settingsInput";

export function listShippingZones(db: OrdersReader, first: number) {
  return db.shippingZone.findMany({
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: first,
    include: { methods: { orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: configLimits.methodsPerZone } },
  });
}

export type ShippingZoneRecord = Awaited<ReturnType<typeof listShippingZones>>[number];

/** One zone with its methods; undefined when none has this id. */
export async function findShippingZone(db: OrdersReader, id: string): Promise<ShippingZoneRecord | undefined> {
  const [zone] = await db.shippingZone.findMany({
    where: { id },
    include: { methods: { orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: configLimits.methodsPerZone } },
  });
  return zone;
}

const methodData = (method: ValidShippingMethod) => ({
  name: method.name,
  currency: method.currency,
  rateKind: method.rateKind,
  amountMinor: method.amountMinor,
  bands: method.bands as Prisma.InputJsonValue,
  freeAboveMinor: method.freeAboveMinor,
});

/**
 * Saves a zone whole, in the caller's transaction: its areas, the methods given (by id: changed
 * in place, so carts that chose them keep their choice), and no other method. Null when `id`
 * names no zone, or a method id names no method of this zone.
 */
export async function saveShippingZone(
  tx: OrdersTx,
  zone: {
    id: string | null;
    name: string;
    areas: Array<{ country: string; region: string | null }>;
    methods: ValidShippingMethod[];
  },
): Promise<ShippingZoneRecord | null> {
  let zoneId = zone.id;
  if (zoneId) {
    const { count } = await tx.shippingZone.updateMany({
      where: { id: zoneId },
      data: { name: zone.name, areas: zone.areas },
    });
    if (count === 0) return null;
  } else {
    zoneId = (await tx.shippingZone.create({ data: { name: zone.name, areas: zone.areas } })).id;
  }
  const kept = zone.methods.flatMap((method) => (method.id ? [method.id] : []));
  await tx.shippingMethod.deleteMany({ where: { zoneId, id: { notIn: kept } } });
  for (const method of zone.methods) {
    if (method.id) {
      const { count } = await tx.shippingMethod.updateMany({
        where: { id: method.id, zoneId },
        data: methodData(method),
      });
      if (count === 0) return null;
    } else {
      await tx.shippingMethod.create({ data: { zoneId, ...methodData(method) } });
    }
  }
  const [saved] = await tx.shippingZone.findMany({
    where: { id: zoneId },
    include: { methods: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  return saved ?? null;
}

export async function deleteShippingZone(db: OrdersReader, id: string): Promise<boolean> {
  const { count } = await db.shippingZone.deleteMany({ where: { id } });
  return count === 1;
}

export function listTaxRates(db: OrdersReader, country: string | null, first: number) {
  return db.taxRate.findMany({
    where: country ? { country } : {},
    orderBy: [{ country: "asc" }, { region: "asc" }, { taxCategory: "asc" }],
    take: first,
  });
}

type TaxRateKey = { country: string; region: string | null; taxCategory: "STANDARD" | "REDUCED" | "ZERO" };

/** The rate set for a destination and category, if any. */
export function findTaxRate(db: OrdersReader, rate: TaxRateKey) {
  return db.taxRate.findUnique({
    where: {
      country_region_taxCategory: { country: rate.country, region: rate.region ?? "", taxCategory: rate.taxCategory },
    },
  });
}

export function setTaxRate(db: OrdersReader, rate: TaxRateKey & { ratePpm: number }) {
  const region = rate.region ?? "";
  return db.taxRate.upsert({
    where: { country_region_taxCategory: { country: rate.country, region, taxCategory: rate.taxCategory } },
    create: { country: rate.country, region, taxCategory: rate.taxCategory, ratePpm: rate.ratePpm },
    update: { ratePpm: rate.ratePpm },
  });
}

export async function deleteTaxRate(db: OrdersReader, id: string): Promise<boolean> {
  const { count } = await db.taxRate.deleteMany({ where: { id } });
  return count === 1;
}

export async function shopSettings(db: OrdersReader) {
  return (await db.shopSettings.findUnique({ where: { id: 1 } })) ?? { id: 1, pricesIncludeTax: false };
}

export function updateShopSettings(db: OrdersReader, changes: { pricesIncludeTax?: boolean }) {
  return db.shopSettings.upsert({
    where: { id: 1 },
    create: { id: 1, pricesIncludeTax: changes.pricesIncludeTax ?? false },
    update: changes,
  });
}

export function listPromotions(db: OrdersReader, first: number, active: boolean | null) {
  return db.discount.findMany({
    where: active === null ? {} : { active },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: first,
  });
}

export function findPromotion(db: OrdersReader, id: string) {
  return db.discount.findUnique({ where: { id } });
}

export type PromotionData = Omit<Prisma.DiscountCreateInput, "id" | "used" | "held" | "createdAt" | "updatedAt">;

export function createPromotion(db: OrdersReader, data: PromotionData) {
  return db.discount.create({ data });
}

export async function updatePromotion(db: OrdersReader, id: string, data: PromotionData) {
  const { count } = await db.discount.updateMany({ where: { id }, data });
  return count === 1 ? db.discount.findUnique({ where: { id } }) : null;
}
