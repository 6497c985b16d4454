export interface AddressValue {
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

export const emptyAddress: AddressValue = {
  name: "",
  line1: "",
  line2: "",
  city: "",
  region: "",
  postalCode: "",
  country: "",
};

const fields: ReadonlyArray<{
  key: keyof AddressValue;
  label: string;
  autoComplete: string;
  required: boolean;
}> = [
  { key: "name", label: "Full name", autoComplete: "name", required: true },
  { key: "line1", label: "Address", autoComplete: "address-line1", required: true },
  { key: "line2", label: "Apartment, suite (optional)", autoComplete: "address-line2", required: false },
  { key: "city", label: "City", autoComplete: "address-level2", required: true },
  { key: "region", label: "State or region (optional)", autoComplete: "address-level1", required: false },
  { key: "postalCode", label: "Postal code", autoComplete: "postal-code", required: true },
  { key: "country", label: "Country code (such as GB, US)", autoComplete: "country", required: true },
];

/** Address inputs with labels and autofill hints; `errorField` marks the one the API refused. */
export function AddressFields({
  idPrefix,
  value,
  onChange,
  errorField,
  withName = true,
}: {
  idPrefix: string;
  value: AddressValue;
  onChange(value: AddressValue): void;
  errorField?: string | undefined;
  withName?: boolean;
}) {
  return (
    <div className="address-fields">
      {fields
        .filter((field) => withName || field.key !== "name")
        .map((field) => {
          const id = `${idPrefix}-${field.key}`;
          const invalid = errorField !== undefined && errorField.endsWith(field.key);
          return (
            <div key={field.key} className="field">
              <label htmlFor={id}>{field.label}</label>
              <input
                id={id}
                name={field.key}
                autoComplete={field.autoComplete}
                required={field.required}
                aria-invalid={invalid || undefined}
                maxLength={field.key === "country" ? 2 : 200}
                value={value[field.key]}
                onChange={(event) =>
                  onChange({
                    ...value,
                    [field.key]: field.key === "country" ? event.target.value.toUpperCase() : event.target.value,
                  })
                }
              />
            </div>
          );
        })}
    </div>
  );
}

/** The address as the API takes it: optional parts left out when empty. */
export function addressInput(value: AddressValue) {
  return {
    line1: value.line1.trim(),
    city: value.city.trim(),
    postalCode: value.postalCode.trim(),
    country: value.country.trim(),
    ...(value.line2.trim() ? { line2: value.line2.trim() } : {}),
    ...(value.region.trim() ? { region: value.region.trim() } : {}),
  };
}
