import { BadUserInputError } from "../../common/errors";
import { requiredText } from "../../common/validation";

/** Attributes as a client sends them (AttributeInput). */
export type AttributeFields = ReadonlyArray<{ name: string; value: string }>;

export const maxAttributes = 50;

/**
 * Checks and trims attributes; the same name and value twice (letter case aside) is kept once,
 * in the order first given.
 */
export function validateAttributes(
  input: AttributeFields | null | undefined,
  field = "attributes",
): Array<{ name: string; value: string }> {
  if (!input) return [];
  if (input.length > maxAttributes)
    throw new BadUserInputError(`At most ${maxAttributes} attributes are allowed.`, field);
  const seen = new Set<string>();
  const attributes: Array<{ name: string; value: string }> = [];
  input.forEach((attribute, index) => {
    const name = requiredText(attribute.name, `${field}.${index}.name`, { max: 50 });
    const value = requiredText(attribute.value, `${field}.${index}.value`, { max: 100 });
    const key = `${name.toLowerCase()}\u0000${value.toLowerCase()}`;
    if (seen.has(key)) return;
    seen.add(key);
    attributes.push({ name, value });
  });
  return attributes;
}
