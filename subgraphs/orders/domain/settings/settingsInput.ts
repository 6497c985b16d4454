import { BadUserInputError } from "../../../common/errors";
import { parseAmount, parseCurrency } from "../../../common/money";
import { parsePercent } from "../../../common/moneyArithmetic";
import { countryCode } from "../../../common/postalAddress";
import { boundedInt, optionalText, requiredId, requiredText } from "../../../common/validation";
import type { DiscountKind, TaxCategory } from "../pricing/pricingTypes";

type RateKind = "FLAT" | "WEIGHT" | "ORDER_VALUE";

/** A place as the back office names it: an upper-case country and an optional region. */
export function validateDestination(
  input: { country: string; region?: string | null },
  prefix: string,
): { country: string; region: string | null } {
  return {
    country: countryCode(input.country, `${prefix}country`),
    region: optionalText(input.region, `${prefix}region`, 100),
  };
}

export function percentField(value: string, field: string): number {
  const ppm = parsePercent(value);
  if (ppm === null)
    throw new BadUserInputError(
      "Give a percentage from 0 to 100 with at most four decimals, such as 20 or 8.875.",
      field,
    );
  return Number(ppm);
}

export interface ShippingMethodFields {
  id?: string | null;
  name: string;
  currency?: string | null;
  rateKind: RateKind;
  price?: string | null;
  bands?: ReadonlyArray<{ upToGrams?: number | null; from?: string | null; price: string }> | null;
  freeAbove?: string | null;
}

export interface ShippingZoneFields {
  id?: string | null;
  name: string;
  areas: ReadonlyArray<{ country: string; region?: string | null }>;
  methods: readonly ShippingMethodFields[];
}

export interface ValidShippingMethod {
  id: string | null;
  name: string;
  currency: string;
  rateKind: RateKind;
  amountMinor: bigint;
  bands: Array<{ upToGrams?: number | null; fromMinor?: string; amountMinor: string }>;
  freeAboveMinor: bigint | null;
}

function validateMethod(method: ShippingMethodFields, prefix: string): ValidShippingMethod {
  const bands = method.bands ?? [];
  if (bands.length > 20) throw new BadUserInputError("A method has at most 20 bands.", `${prefix}bands`);
  if (method.rateKind === "FLAT" && !method.price)
    throw new BadUserInputError("A FLAT rate needs `price`.", `${prefix}price`);
  if (method.rateKind !== "FLAT" && bands.length === 0)
    throw new BadUserInputError(`A ${method.rateKind} rate needs at least one band.`, `${prefix}bands`);
  return {
    id: method.id ? requiredId(method.id, `${prefix}id`) : null,
    name: requiredText(method.name, `${prefix}name`, { max: 100 }),
    currency: parseCurrency(method.currency, `${prefix}currency`),
    rateKind: method.rateKind,
    amountMinor: method.rateKind === "FLAT" ? parseAmount(method.price!, `${prefix}price`) : 0n,
    bands: bands.map((band, index) => {
      const field = `${prefix}bands.${index}.`;
      const amountMinor = parseAmount(band.price, `${field}price`).toString();
      if (method.rateKind === "WEIGHT") {
        const upToGrams =
          band.upToGrams === null || band.upToGrams === undefined
            ? null
            : boundedInt(band.upToGrams, `${field}upToGrams`, { min: 0, max: 1_000_000 });
        return { upToGrams, amountMinor };
      }
      return { fromMinor: parseAmount(band.from ?? "0", `${field}from`).toString(), amountMinor };
    }),
    freeAboveMinor: method.freeAbove ? parseAmount(method.freeAbove, `${prefix}freeAbove`) : null,
  };
}

export function validateShippingZone(input: ShippingZoneFields) {
  if (input.areas.length === 0 || input.areas.length > 300)
    throw new BadUserInputError("A zone covers 1 to 300 countries or regions.", "areas");
  if (input.methods.length > 20) throw new BadUserInputError("A zone has at most 20 methods.", "methods");
  return {
    id: input.id ? requiredId(input.id, "id") : null,
    name: requiredText(input.name, "name", { max: 100 }),
    areas: input.areas.map((area, index) => validateDestination(area, `areas.${index}.`)),
    methods: input.methods.map((method, index) => validateMethod(method, `methods.${index}.`)),
  };
}

export function validateTaxRate(input: {
  country: string;
  region?: string | null;
  taxCategory: TaxCategory;
  rate: string;
}) {
  const place = validateDestination(input, "");
  return { ...place, taxCategory: input.taxCategory, ratePpm: percentField(input.rate, "rate") };
}

export interface PromotionFields {
  title: string;
  code?: string | null;
  kind: DiscountKind;
  percentage?: string | null;
  amount?: string | null;
  currency?: string | null;
  minSubtotal?: string | null;
  productIds?: readonly string[] | null;
  categoryIds?: readonly string[] | null;
  buyQuantity?: number | null;
  getQuantity?: number | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
  active?: boolean | null;
  usageLimit?: number | null;
  perCustomerLimit?: number | null;
  combinable?: boolean | null;
}

const codePattern = /^[A-Z0-9][A-Z0-9_-]{0,49}$/;
const maxLimit = 1_000_000_000;

const ids = (values: readonly string[] | null | undefined, field: string) => {
  if (!values) return [];
  if (values.length > 100) throw new BadUserInputError("At most 100 ids.", field);
  return values.map((value, index) => requiredId(value, `${field}.${index}`));
};

/** Checks a promotion as the back office sends it; BAD_USER_INPUT naming the field at fault. */
export function validatePromotion(input: PromotionFields) {
  const code = input.code ? input.code.trim().toUpperCase() : null;
  if (code !== null && !codePattern.test(code))
    throw new BadUserInputError("A code has 1 to 50 letters, digits, dashes or underscores.", "code");
  const needsPercent = input.kind === "PERCENTAGE" || input.kind === "BUY_X_GET_Y";
  if (needsPercent && !input.percentage)
    throw new BadUserInputError(`A ${input.kind} promotion needs \`percentage\`.`, "percentage");
  if (input.kind === "FIXED_AMOUNT" && !input.amount)
    throw new BadUserInputError("A FIXED_AMOUNT promotion needs `amount`.", "amount");
  const buyXGetY = input.kind === "BUY_X_GET_Y";
  if (input.startsAt && input.endsAt && input.endsAt <= input.startsAt)
    throw new BadUserInputError("`endsAt` must come after `startsAt`.", "endsAt");
  const limit = (value: number | null | undefined, field: string) =>
    value === null || value === undefined ? null : boundedInt(value, field, { min: 1, max: maxLimit });
  return {
    title: requiredText(input.title, "title", { max: 100 }),
    code,
    kind: input.kind,
    valuePpm: needsPercent ? percentField(input.percentage!, "percentage") : 0,
    amountMinor: input.kind === "FIXED_AMOUNT" ? parseAmount(input.amount!, "amount") : 0n,
    currency: parseCurrency(input.currency, "currency"),
    minSubtotalMinor: input.minSubtotal ? parseAmount(input.minSubtotal, "minSubtotal") : 0n,
    productIds: ids(input.productIds, "productIds"),
    categoryIds: ids(input.categoryIds, "categoryIds"),
    buyQuantity: buyXGetY ? boundedInt(input.buyQuantity ?? 0, "buyQuantity", { min: 1, max: 99 }) : 0,
    getQuantity: buyXGetY ? boundedInt(input.getQuantity ?? 0, "getQuantity", { min: 1, max: 99 }) : 0,
    startsAt: input.startsAt ?? null,
    endsAt: input.endsAt ?? null,
    active: input.active ?? true,
    usageLimit: limit(input.usageLimit, "usageLimit"),
    perCustomerLimit: limit(input.perCustomerLimit, "perCustomerLimit"),
    combinable: input.combinable ?? true,
  };
}
