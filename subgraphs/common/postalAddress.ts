import { BadUserInputError } from "./errors";
import { optionalText, requiredText } from "./validation";

/** The lines of a postal address: saved by users, copied into orders as the shipping address. */
export interface PostalAddress {
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode: string;
  country: string;
}

/** A saved address as a client sends it. */
export interface AddressFields extends PostalAddress {
  label?: string | null;
  isDefault?: boolean | null;
}

/** A saved address, validated. */
export interface NewAddress extends Required<PostalAddress> {
  label: string | null;
  isDefault: boolean;
}

/** Officially assigned ISO 3166-1 alpha-2 codes. */
const countryCodes = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO " +
    "JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR " +
    "MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO " +
    "RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV " +
    "TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
  ).split(" "),
);

export function countryCode(value: string, field = "country"): string {
  const code = value.trim().toUpperCase();
  if (!countryCodes.has(code))
    throw new BadUserInputError("`country` must be an ISO 3166-1 alpha-2 code, such as US or DE.", field);
  return code;
}

/** The lines of an address, trimmed and checked; `prefix` is where the address sits in the input (`shippingAddress.`). */
export function validatePostalAddress(input: PostalAddress, prefix = ""): Required<PostalAddress> {
  return {
    line1: requiredText(input.line1, `${prefix}line1`, { max: 200 }),
    line2: optionalText(input.line2, `${prefix}line2`, 200),
    city: requiredText(input.city, `${prefix}city`, { max: 100 }),
    region: optionalText(input.region, `${prefix}region`, 100),
    postalCode: requiredText(input.postalCode, `${prefix}postalCode`, { max: 20 }),
    country: countryCode(input.country, `${prefix}country`),
  };
}

export function validateAddress(input: AddressFields): NewAddress {
  return {
    label: optionalText(input.label, "label", 50),
    ...validatePostalAddress(input),
    isDefault: input.isDefault ?? false,
  };
}
