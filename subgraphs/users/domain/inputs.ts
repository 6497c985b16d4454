import { BadUserInputError } from "../../common/errors";
import { emailAddress, requiredText } from "../../common/validation";

/** Emails are checked and lower-cased, so one address is one account whatever its letter case. */
export const email = emailAddress;

export function newPassword(value: string, field = "password"): string {
  if (value.length < 10) throw new BadUserInputError("The password must be at least 10 characters.", field);
  if (value.length > 128) throw new BadUserInputError("The password must be at most 128 characters.", field);
  return value;
}

export function personName(value: string, field = "name"): string {
  return requiredText(value, field, { max: 100 });
}
