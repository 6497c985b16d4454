import { ConflictError, NotFoundError } from "../../../common/errors";
import { violatesUnique } from "../../../common/database/uniqueViolation";
import type { UnitOfWork } from "../../../common/events/unitOfWork";
import { boundedInt, isUuid } from "../../../common/validation";
import { countryCode } from "../../../common/postalAddress";
import type { OrdersDb, OrdersTx } from "../../store/database";
import {
  createPromotion,
  deleteShippingZone,
  deleteTaxRate,
  findPromotion,
  listPromotions,
  listShippingZones,
  listTaxRates,
  saveShippingZone,
  setTaxRate,
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
  const saved = await deps.unitOfWork(async (tx) => {
    const result = await saveShippingZone(tx, zone);
    // Roll back whatever was written before the missing id was found.
    if (!result) throw new NotFoundError("No shipping zone or method of this zone has this id.", "id");
    return result;
  });
  return saved;
}

export async function deleteZone(db: OrdersDb, id: string): Promise<string> {
  if (!isUuid(id) || !(await deleteShippingZone(db, id)))
    throw new NotFoundError("No shipping zone has this id.", "id");
  return id;
}

export function setRate(
  db: OrdersDb,
  input: { country: string; region?: string | null; taxCategory: TaxCategory; rate: string },
) {
  return setTaxRate(db, validateTaxRate(input));
}

export async function deleteRate(db: OrdersDb, id: string): Promise<string> {
  if (!isUuid(id) || !(await deleteTaxRate(db, id))) throw new NotFoundError("No tax rate has this id.", "id");
  return id;
}

export function updateSettings(db: OrdersDb, input: { pricesIncludeTax?: boolean | null }) {
  return updateShopSettings(
    db,
    input.pricesIncludeTax === null || input.pricesIncludeTax === undefined
      ? {}
      : { pricesIncludeTax: input.pricesIncludeTax },
  );
}

const codeTaken = () => new ConflictError("Another promotion already has this code.", "code");

export async function createPromotionFrom(db: OrdersDb, input: PromotionFields): Promise<PromotionRecord> {
  const data = validatePromotion(input);
  try {
    return await createPromotion(db, data);
  } catch (error) {
    if (violatesUnique(error, "code")) throw codeTaken();
    throw error;
  }
}

export async function updatePromotionFrom(db: OrdersDb, id: string, input: PromotionFields): Promise<PromotionRecord> {
  const data = validatePromotion(input);
  try {
    const updated = isUuid(id) ? await updatePromotion(db, id, data) : null;
    if (!updated) throw new NotFoundError("No promotion has this id.", "id");
    return updated;
  } catch (error) {
    if (violatesUnique(error, "code")) throw codeTaken();
    throw error;
  }
}
