import type { Caller } from "../../../common/auth/caller";
import { recordAudit, type AuditChange } from "../../../common/audit/recordAudit";
import { ConflictError, NotFoundError } from "../../../common/errors";
import { violatesUnique } from "../../../common/database/uniqueViolation";
import type { Emit, UnitOfWork } from "../../../common/events/unitOfWork";
import { boundedInt, isUuid } from "../../../common/validation";
import { countryCode } from "../../../common/postalAddress";
import type { OrdersDb, OrdersTx } from "../../store/database";
import {
  createPromotion,
  deleteShippingZone,
  deleteTaxRate,
  findPromotion,
  findShippingZone,
  findTaxRate,
  listPromotions,
  listShippingZones,
  listTaxRates,
  saveShippingZone,
  setTaxRate,
  shopSettings,
  updatePromotion,
  updateShopSettings,
} from "../../store/pricingSettingsStore";
import type { PromotionRecord, ShippingZoneRecord } from "../../store/records";
import {
  validatePromotion,
  validateShippingZone,
  validateTaxRate,
  type PromotionFields,
  type ShippingZoneFields,
} from "./settingsInput";
import type { TaxCategory } from "../pricing/pricingTypes";

export interface SettingsDependencies {
  db: OrdersDb;
  unitOfWork: UnitOfWork<OrdersTx>;
  caller?: Caller | null;
}

/**
 * Runs a change of the pricing configuration and records it in the audit log (entity `SETTING`),
 * both in one transaction: the entry exists exactly when the change does.
 */
async function auditedChange<T>(
  deps: SettingsDependencies,
  change: (tx: OrdersTx, emit: Emit) => Promise<{ result: T; audit: Omit<AuditChange, "entityType"> }>,
): Promise<T> {
  return deps.unitOfWork(async (tx, emit) => {
    const { result, audit } = await change(tx, emit);
    await recordAudit(tx, emit, "orders", deps.caller, { entityType: "SETTING", ...audit });
    return result;
  });
}

export const zonesPage = (db: OrdersDb, first: number | null | undefined) =>
  listShippingZones(db, boundedInt(first ?? 50, "first", { min: 1, max: 200 }));

export const taxRatesPage = (db: OrdersDb, country: string | null | undefined, first: number | null | undefined) =>
  listTaxRates(db, country ? countryCode(country) : null, boundedInt(first ?? 100, "first", { min: 1, max: 500 }));

export const promotionsPage = (db: OrdersDb, first: number | null | undefined, active: boolean | null | undefined) =>
  listPromotions(db, boundedInt(first ?? 50, "first", { min: 1, max: 100 }), active ?? null);

export async function promotionById(db: OrdersDb, id: string): Promise<PromotionRecord> {
  const found = isUuid(id) ? await findPromotion(db, id) : null;
  if (!found) throw new NotFoundError("No promotion has this id.", "id");
  return found;
}

/** Saves a zone and its methods in one transaction; an id that names nothing is NOT_FOUND. */
export async function saveZone(deps: SettingsDependencies, input: ShippingZoneFields): Promise<ShippingZoneRecord> {
  const zone = validateShippingZone(input);
  return auditedChange(deps, async (tx) => {
    const before = zone.id && isUuid(zone.id) ? ((await findShippingZone(tx, zone.id)) ?? null) : null;
    const result = await saveShippingZone(tx, zone);
    // Roll back whatever was written before the missing id was found.
    if (!result) throw new NotFoundError("No shipping zone or method of this zone has this id.", "id");
    return {
      result,
      audit: { entityId: result.id, action: "shipping_zone.saved", before, after: result },
    };
  });
}

export async function deleteZone(deps: SettingsDependencies, id: string): Promise<string> {
  return auditedChange(deps, async (tx) => {
    const before = isUuid(id) ? await findShippingZone(tx, id) : null;
    if (!before || !(await deleteShippingZone(tx, id))) throw new NotFoundError("No shipping zone has this id.", "id");
    return { result: id, audit: { entityId: id, action: "shipping_zone.deleted", before, after: null } };
  });
}

export function setRate(
  deps: SettingsDependencies,
  input: { country: string; region?: string | null; taxCategory: TaxCategory; rate: string },
) {
  const rate = validateTaxRate(input);
  return auditedChange(deps, async (tx) => {
    const before = await findTaxRate(tx, rate);
    const result = await setTaxRate(tx, rate);
    return { result, audit: { entityId: result.id, action: "tax_rate.set", before, after: result } };
  });
}

export async function deleteRate(deps: SettingsDependencies, id: string): Promise<string> {
  return auditedChange(deps, async (tx) => {
    const before = isUuid(id) ? await tx.taxRate.findUnique({ where: { id } }) : null;
    if (!before || !(await deleteTaxRate(tx, id))) throw new NotFoundError("No tax rate has this id.", "id");
    return { result: id, audit: { entityId: id, action: "tax_rate.deleted", before, after: null } };
  });
}

export function updateSettings(deps: SettingsDependencies, input: { pricesIncludeTax?: boolean | null }) {
  const changes =
    input.pricesIncludeTax === null || input.pricesIncludeTax === undefined
      ? {}
      : { pricesIncludeTax: input.pricesIncludeTax };
  return auditedChange(deps, async (tx) => {
    const before = await shopSettings(tx);
    const result = await updateShopSettings(tx, changes);
    return { result, audit: { entityId: "shop", action: "shop_settings.updated", before, after: result } };
  });
}

const codeTaken = () => new ConflictError("Another promotion already has this code.", "code");

export async function createPromotionFrom(
  deps: SettingsDependencies,
  input: PromotionFields,
): Promise<PromotionRecord> {
  const data = validatePromotion(input);
  try {
    return await auditedChange(deps, async (tx) => {
      const result = await createPromotion(tx, data);
      return { result, audit: { entityId: result.id, action: "promotion.created", before: null, after: result } };
    });
  } catch (error) {
    if (violatesUnique(error, "code")) throw codeTaken();
    throw error;
  }
}

export async function updatePromotionFrom(
  deps: SettingsDependencies,
  id: string,
  input: PromotionFields,
): Promise<PromotionRecord> {
  const data = validatePromotion(input);
  try {
    return await auditedChange(deps, async (tx) => {
      const before = isUuid(id) ? await findPromotion(tx, id) : null;
      const updated = before ? await updatePromotion(tx, id, data) : null;
      if (!updated) throw new NotFoundError("No promotion has this id.", "id");
      return { result: updated, audit: { entityId: id, action: "promotion.updated", before, after: updated } };
    });
  } catch (error) {
    if (violatesUnique(error, "code")) throw codeTaken();
    throw error;
  }
}
