import { defaultVariantTitle } from "../../common/events/productVariants";
import { BadUserInputError } from "../../common/errors";
import { requiredText } from "../../common/validation";
import type { SelectedOptionValue } from "../store/records";

/** A product's options as the domain sees them: names and values in the merchant's order. */
export interface OptionDefinition {
  name: string;
  values: string[];
}

export const maxOptions = 3;
export const maxOptionValues = 100;

const fold = (text: string) => text.toLowerCase();

/** Checks a product's new options: up to 3, names and values trimmed, unique without regard to letter case. */
export function validateOptions(
  input: ReadonlyArray<{ name: string; values: readonly string[] }>,
  field = "options",
): OptionDefinition[] {
  if (input.length > maxOptions) throw new BadUserInputError(`A product has at most ${maxOptions} options.`, field);
  const names = new Set<string>();
  return input.map((option, index) => {
    const name = requiredText(option.name, `${field}.${index}.name`, { max: 50 });
    if (names.has(fold(name))) throw new BadUserInputError(`Two options are named ${name}.`, `${field}.${index}.name`);
    names.add(fold(name));
    if (option.values.length === 0 || option.values.length > maxOptionValues) {
      throw new BadUserInputError(`An option has 1 to ${maxOptionValues} values.`, `${field}.${index}.values`);
    }
    const seen = new Set<string>();
    const values = option.values.map((raw, valueIndex) => {
      const value = requiredText(raw, `${field}.${index}.values.${valueIndex}`, { max: 50 });
      if (seen.has(fold(value)))
        throw new BadUserInputError(`${name} has the value ${value} twice.`, `${field}.${index}.values.${valueIndex}`);
      seen.add(fold(value));
      return value;
    });
    return { name, values };
  });
}

/**
 * The selected options as one comparable text: lower-cased `name=value` pairs sorted by name, so
 * the same values in any order, or any letter case, give the same key.
 */
export function optionsKeyOf(selected: readonly SelectedOptionValue[]): string {
  return selected
    .map((option) => `${fold(option.name)}=${fold(option.value)}`)
    .sort()
    .join("|");
}

/** `M / Red`: the values in the options' order; `Default Title` without options. */
export function variantTitleOf(selected: readonly SelectedOptionValue[]): string {
  return selected.length ? selected.map((option) => option.value).join(" / ") : defaultVariantTitle;
}

/**
 * Reads the option values a variant is to stand for: exactly one value for each of the
 * product's options, named as the product names them (letter case aside). Answers them in the
 * options' order, spelled as the product spells them.
 */
export function resolveSelectedOptions(
  options: readonly OptionDefinition[],
  input: ReadonlyArray<{ name: string; value: string }>,
  field: string,
): SelectedOptionValue[] {
  if (options.length === 0) {
    throw new BadUserInputError(
      "This product has no options: set them first (productOptionsSet), then add variants.",
      field,
    );
  }
  const given = new Map<string, string>();
  input.forEach((option, index) => {
    const name = fold(option.name.trim());
    if (!options.some((each) => fold(each.name) === name))
      throw new BadUserInputError(`The product has no option named ${option.name}.`, `${field}.${index}.name`);
    if (given.has(name)) throw new BadUserInputError(`${option.name} is given twice.`, `${field}.${index}.name`);
    given.set(name, option.value.trim());
  });
  return options.map((option) => {
    const value = given.get(fold(option.name));
    if (value === undefined) throw new BadUserInputError(`Give a value for ${option.name}.`, field);
    const known = option.values.find((each) => fold(each) === fold(value));
    if (!known)
      throw new BadUserInputError(
        `${option.name} has no value ${value}: use one of ${option.values.join(", ")}.`,
        field,
      );
    return { name: option.name, value: known };
  });
}

/**
 * Maps a variant's values onto new options: a value of an option kept stays (it must still be
 * one of the option's values), an option new to the product gives its first value, and an
 * option dropped is dropped. Null when a value the variant uses is no longer offered.
 */
export function remapSelectedOptions(
  current: readonly SelectedOptionValue[],
  options: readonly OptionDefinition[],
): { selected: SelectedOptionValue[] } | { missing: { option: string; value: string; index: number } } {
  const selected: SelectedOptionValue[] = [];
  for (const [index, option] of options.entries()) {
    const previous = current.find((each) => fold(each.name) === fold(option.name));
    if (!previous) {
      selected.push({ name: option.name, value: option.values[0]! });
      continue;
    }
    const value = option.values.find((each) => fold(each) === fold(previous.value));
    if (!value) return { missing: { option: option.name, value: previous.value, index } };
    selected.push({ name: option.name, value });
  }
  return { selected };
}
