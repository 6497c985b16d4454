import { randomInt } from "node:crypto";

// Crockford's base32 without I, L, O and U: nothing to mistake when read aloud or typed.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A short order number people can read aloud, such as `K7M-4PQ2X`: 8 random characters, 40 bits. */
export function newOrderNumber(): string {
  const characters = Array.from({ length: 8 }, () => alphabet[randomInt(alphabet.length)]).join("");
  return `${characters.slice(0, 3)}-${characters.slice(3)}`;
}
