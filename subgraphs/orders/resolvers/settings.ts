import { requirePermission } from "../../common/auth/guards";
import { cartOwnerOf } from "../domain/cartAccess";
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
  cartDiscountCodesUpdate: async (_parent, { cartToken, codes }, context) =>
    updateCartDiscountCodes(context, await cartOwnerOf(context.db, context.caller, cartToken), codes),
  cartShippingMethodSelect: async (_parent, { cartToken, shippingMethodId }, context) =>
    selectCartShippingMethod(context, await cartOwnerOf(context.db, context.caller, cartToken), shippingMethodId),
  shippingZoneSave: (_parent, { input }, context) => (
    requirePermission(context.caller, "SETTINGS"),
    saveZone(context, input)
  ),
  shippingZoneDelete: (_parent, { id }, context) => (
    requirePermission(context.caller, "SETTINGS"),
    deleteZone(context, id)
  ),
  taxRateSet: (_parent, { input }, context) => (requirePermission(context.caller, "SETTINGS"), setRate(context, input)),
  taxRateDelete: (_parent, { id }, context) => (requirePermission(context.caller, "SETTINGS"), deleteRate(context, id)),
  shopSettingsUpdate: (_parent, { input }, context) => (
    requirePermission(context.caller, "SETTINGS"),
    updateSettings(context, input)
  ),
  promotionCreate: (_parent, { input }, context) => (
    requirePermission(context.caller, "SETTINGS"),
    createPromotionFrom(context, input)
  ),
  promotionUpdate: (_parent, { id, input }, context) => (
    requirePermission(context.caller, "SETTINGS"),
    updatePromotionFrom(context, id, input)
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
