import { valueState, type PickerOption, type PickerVariant, type Selection } from "../lib/variants";

/**
 * One radio group per option (Size, Colour): keyboard and screen readers work as with any form.
 * A value no variant has beside the other choices is disabled; one whose variants are sold out
 * is greyed but choosable, so the page can say "Out of stock" for it.
 */
export function VariantPicker({
  options,
  variants,
  selection,
  onChange,
}: {
  options: readonly PickerOption[];
  variants: readonly PickerVariant[];
  selection: Selection;
  onChange(selection: Selection): void;
}) {
  return (
    <div className="variant-picker">
      {options.map((option) => (
        <fieldset key={option.name} className="option">
          <legend>
            {option.name}: <strong>{selection[option.name] ?? "choose"}</strong>
          </legend>
          <div className="option-values">
            {option.values.map((value) => {
              const state = valueState(option, value, variants, selection);
              const id = `option-${option.name}-${value}`.replace(/[^a-zA-Z0-9-]/g, "_");
              return (
                <span key={value} className={`option-value option-${state}`}>
                  <input
                    type="radio"
                    id={id}
                    name={option.name}
                    value={value}
                    checked={selection[option.name] === value}
                    disabled={state === "unavailable"}
                    onChange={() => onChange({ ...selection, [option.name]: value })}
                  />
                  <label htmlFor={id} data-state={state}>
                    {value}
                    {state === "available" ? null : (
                      <span className="visually-hidden">
                        {state === "sold-out" ? " (sold out)" : " (not available)"}
                      </span>
                    )}
                  </label>
                </span>
              );
            })}
          </div>
        </fieldset>
      ))}
    </div>
  );
}
