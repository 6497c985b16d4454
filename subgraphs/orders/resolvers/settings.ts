import { requireCaller, requirePermission } from "../../common/auth/guards";
import { toMoney } from "../../common/money";
import { formatPercent } from "../../common/moneyArithmetic";
import { selectCartShippingMethod, updateCartDiscountCodes } from "../domain/pricing/cartPricing";
import {
  createPromotionFrom,
  deleteRate,
  deleteZone,
  promotionById,
  promotionsPage,
  saveZone,
  setRate,
  taxRatesPage,
  updatePromotionFrom,
  updateSettings,
  zonesPage,
} from "../domain/settings/settingsCommands";
import type { MutationResolvers, QueryResolvers, Resolvers } from "../generated/graphql";
import { shopSettings } from "../store/pricingSettingsStore";

type BandRow = { upToGrams?: number | null; fromMinor?: string; amountMinor: string };

/** Back-office reads of the pricing configuration: `SETTINGS` only. */
export const settingsQueries: Pick<
  QueryResolvers,
  "shippingZones" | "taxRates" | "shopSettings" | "promotions" | "promotion"
> = {
  shippingZones: (_parent, { first }, { caller, db }) => (requirePermission(caller, "SETTINGS"), zonesPage(db, first)),
  taxRates: (_parent, { country, first }, { caller, db }) => (
    requirePermission(caller, "SETTINGS"),
    taxRatesPage(db, country, first)
  ),
  shopSettings: (_parent, _args, { caller, db }) => (requirePermission(caller, "SETTINGS"), shopSettings(db)),
  promotions: (_parent, { first, active }, { caller, db }) => (
    requirePermission(caller, "SETTINGS"),
    promotionsPage(db, first, active)
  ),
  promotion: (_parent, { id }, { caller, db }) => (requirePermission(caller, "SETTINGS"), promotionById(db, id)),
};

export const settingsMutations: Pick<
  MutationResolvers,
  | "cartDiscountCodesUpdate"
  | "cartShippingMethodSelect"
  | "shippingZoneSave"
  | "shippingZoneDelete"
  | "taxRateSet"
  | "taxRateDelete"
  | "shopSettingsUpdate"
  | "promotionCreate"
  | "promotionUpdate"
> = {
  cartDiscountCodesUpdate: (_parent, { codes }, context) =>
    updateCartDiscountCodes(context, requireCaller(context.caller).userId, codes),
  cartShippingMethodSelect: (_parent, { shippingMethodId }, context) =>
    selectCartShippingMethod(context, requireCaller(context.caller).userId, shippingMethodId),
  shippingZoneSave: (_parent, { input }, context) => (
    requirePermission(context.caller, "SETTINGS"),
    saveZone(context, input)
  ),
  shippingZoneDelete: (_parent, { id }, { caller, db }) => (requirePermission(caller, "SETTINGS"), deleteZone(db, id)),
  taxRateSet: (_parent, { input }, { caller, db }) => (requirePermission(caller, "SETTINGS"), setRate(db, input)),
  taxRateDelete: (_parent, { id }, { caller, db }) => (requirePermission(caller, "SETTINGS"), deleteRate(db, id)),
  shopSettingsUpdate: (_parent, { input }, { caller, db }) => (
    requirePermission(caller, "SETTINGS"),
    updateSettings(db, input)
  ),
  promotionCreate: (_parent, { input }, { caller, db }) => (
    requirePermission(caller, "SETTINGS"),
    createPromotionFrom(db, input)
  ),
  promotionUpdate: (_parent, { id, input }, { caller, db }) => (
    requirePermission(caller, "SETTINGS"),
    updatePromotionFrom(db, id, input)
  ),
};

/** How the configuration records answer in the API. */
export const settingsTypes: Pick<Resolvers, "ShippingZone" | "ShippingMethodSetting" | "TaxRateSetting" | "Promotion"> =
  {
    ShippingZone: {
      areas: (zone) => zone.areas as Array<{ country: string; region: string | null }>,
    },
    ShippingMethodSetting: {
      price: (method) => (method.rateKind === "FLAT" ? toMoney(method.amountMinor, method.currency) : null),
      bands: (method) =>
        ((method.bands as BandRow[] | null) ?? []).map((band) => ({
          upToGrams: band.upToGrams ?? null,
          from: band.fromMinor === undefined ? null : toMoney(BigInt(band.fromMinor), method.currency),
          price: toMoney(BigInt(band.amountMinor), method.currency),
        })),
      freeAbove: (method) => (method.freeAboveMinor === null ? null : toMoney(method.freeAboveMinor, method.currency)),
    },
    TaxRateSetting: {
      region: (rate) => (rate.region === "" ? null : rate.region),
      rate: (rate) => formatPercent(BigInt(rate.ratePpm)),
    },
    Promotion: {
      percentage: (promotion) =>
        promotion.kind === "PERCENTAGE" || promotion.kind === "BUY_X_GET_Y"
          ? formatPercent(BigInt(promotion.valuePpm))
          : null,
      amount: (promotion) =>
        promotion.kind === "FIXED_AMOUNT" ? toMoney(promotion.amountMinor, promotion.currency) : null,
      minSubtotal: (promotion) => toMoney(promotion.minSubtotalMinor, promotion.currency),
      usage: (promotion) => ({
        used: promotion.used,
        held: promotion.held,
        remaining:
          promotion.usageLimit === null ? null : Math.max(promotion.usageLimit - promotion.used - promotion.held, 0),
      }),
    },
  };
