/**
 * The variant picker's rules, apart from React so they can be tested as plain functions: which
 * variant a choice of option values stands for, and which values to grey out.
 */
export interface PickerOption {
  name: string;
  values: readonly string[];
}

export interface PickerVariant {
  id: string;
  selectedOptions: ReadonlyArray<{ name: string; value: string }>;
  /** Units that can be bought now; null when stock is unknown (inventory unavailable). */
  available: number | null;
}

export type Selection = Readonly<Record<string, string>>;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function matches(variant: PickerVariant, selection: Selection): boolean {
  return Object.entries(selection).every(([name, value]) =>
    variant.selectedOptions.some((option) => same(option.name, name) && same(option.value, value)),
  );
}

/** The variant standing for every option of `selection`, or null (a combination nobody sells). */
export function variantFor(
  options: readonly PickerOption[],
  variants: readonly PickerVariant[],
  selection: Selection,
): PickerVariant | null {
  if (options.some((option) => selection[option.name] === undefined)) return null;
  return variants.find((variant) => matches(variant, selection)) ?? null;
}

/** The selection a variant stands for (the default variant's values start the picker). */
export function selectionOf(variant: PickerVariant): Record<string, string> {
  return Object.fromEntries(variant.selectedOptions.map((option) => [option.name, option.value]));
}

export type ValueState = "available" | "sold-out" | "unavailable";

/**
 * How `value` of `option` looks beside the other current choices: `available` when a variant
 * with it is in stock, `sold-out` when such a variant exists but none is left (greyed, still
 * choosable so the shopper learns why), `unavailable` when no variant has that combination
 * (greyed and not choosable).
 */
export function valueState(
  option: PickerOption,
  value: string,
  variants: readonly PickerVariant[],
  selection: Selection,
): ValueState {
  const wanted = { ...selection, [option.name]: value };
  const candidates = variants.filter((variant) => matches(variant, wanted));
  if (candidates.length === 0) return "unavailable";
  return candidates.some((variant) => variant.available === null || variant.available > 0) ? "available" : "sold-out";
}
