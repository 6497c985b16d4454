import { z } from "zod";
import { BadUserInputError } from "./errors";

/**
 * Input checks shared by every service. Each returns the cleaned value (trimmed, lower-cased
 * where the contract says so) or throws BAD_USER_INPUT naming the field.
 */

export function requiredText(value: string, field: string, bounds: { min?: number; max: number }): string {
  const text = value.trim();
  const min = bounds.min ?? 1;
  if (text.length < min) {
    throw new BadUserInputError(
      min === 1 ? `\`${field}\` must not be empty.` : `\`${field}\` must be at least ${min} characters.`,
      field,
    );
  }
  if (text.length > bounds.max)
    throw new BadUserInputError(`\`${field}\` must be at most ${bounds.max} characters.`, field);
  return text;
}

/** Optional free text: null when absent or blank after trimming. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text.length === 0) return null;
  if (text.length > max) throw new BadUserInputError(`\`${field}\` must be at most ${max} characters.`, field);
  return text;
}

const uuidSchema = z.uuid();

/** An id argument; anything that is not a UUID cannot name anything. */
export function isUuid(value: string): boolean {
  return uuidSchema.safeParse(value).success;
}

export function requiredId(value: string, field: string): string {
  if (!isUuid(value)) throw new BadUserInputError(`\`${field}\` is not a valid id.`, field);
  return value.toLowerCase();
}

export function boundedInt(value: number, field: string, bounds: { min: number; max: number }): number {
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new BadUserInputError(`\`${field}\` must be a whole number from ${bounds.min} to ${bounds.max}.`, field);
  }
  return value;
}

const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function slug(value: string, field: string): string {
  const text = value.trim();
  if (!slugPattern.test(text) || text.length > 120) {
    throw new BadUserInputError(
      `\`${field}\` must be lower-case letters, digits and single dashes (at most 120 characters).`,
      field,
    );
  }
  return text;
}

/** A slug made from a name: "Noise-Cancelling Headphones!" → "noise-cancelling-headphones". */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 120)
    .replace(/-+$/, "");
}

export function httpUrl(value: string, field: string): string {
  const text = value.trim();
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new BadUserInputError(`\`${field}\` must be an absolute http(s) URL.`, field);
  }
  if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || text.length > 2048) {
    throw new BadUserInputError(`\`${field}\` must be an absolute http(s) URL of at most 2048 characters.`, field);
  }
  return text;
}

const emailPattern = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/** Emails are checked and lower-cased, so one address is one account (or one guest) whatever its letter case. */
export function emailAddress(value: string, field = "email"): string {
  const normalized = value.trim().toLowerCase();
  if (normalized.length > 254 || !emailPattern.test(normalized)) {
    throw new BadUserInputError("Enter a valid email address.", field);
  }
  return normalized;
}
