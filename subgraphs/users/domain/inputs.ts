import { BadUserInputError } from "../../common/errors";
import { requiredText } from "../../common/validation";

const emailPattern = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/** Emails are checked and lower-cased, so one address is one account whatever its letter case. */
export function email(value: string, field = "email"): string {
  const normalized = value.trim().toLowerCase();
  if (normalized.length > 254 || !emailPattern.test(normalized)) {
    throw new BadUserInputError("Enter a valid email address.", field);
  }
  return normalized;
}

export function newPassword(value: string, field = "password"): string {
  if (value.length < 10) throw new BadUserInputError("The password must be at least 10 characters.", field);
  if (value.length > 128) throw new BadUserInputError("The password must be at most 128 characters.", field);
  return value;
}

export function personName(value: string, field = "name"): string {
  return requiredText(value, field, { max: 100 });
}
