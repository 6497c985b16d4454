import { BadUserInputError } from "../../common/errors";

/** E.164: a plus, a country code that does not start with 0, and at most 15 digits in all. */
const e164 = /^\+[1-9]\d{7,14}$/;

/**
 * A mobile number in E.164 form. What people type around the digits (spaces, dashes, dots,
 * brackets) is dropped; anything else, or a number without its `+` and country code, is
 * BAD_USER_INPUT. Whether the number exists and is the user's is proven by the texted code, not here.
 */
export function phoneNumber(value: string, field = "phoneNumber"): string {
  const compact = value.trim().replace(/[\s\-.()]/g, "");
  if (!e164.test(compact)) {
    throw new BadUserInputError(
      "Enter the mobile number in international form: + and the country code, then the number (such as +14155550123).",
      field,
    );
  }
  return compact;
}
