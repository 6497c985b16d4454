/**
 * Stripe's request encoding (`application/x-www-form-urlencoded` with brackets, as stripe-node
 * writes it: `metadata[order_id]=…`, `allowed_payment_method_types[0]=card`) read back into the
 * nested object it stands for. Lists come back as arrays; every value is a string, as on the wire.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

export function parseForm(encoded: string): Record<string, FormValue> {
  const root: Record<string, FormValue> = {};
  for (const [name, value] of new URLSearchParams(encoded)) {
    const path = name.replace(/\]/g, "").split("[");
    let node: Record<string, FormValue> = root;
    path.forEach((key, index) => {
      if (index === path.length - 1) node[key] = value;
      else node = (node[key] ??= {}) as Record<string, FormValue>;
    });
  }
  return asLists(root) as Record<string, FormValue>;
}

/** Objects whose keys are 0, 1, 2… are lists. */
function asLists(value: FormValue): FormValue {
  if (typeof value === "string" || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = Object.fromEntries(keys.map((key) => [key, asLists(value[key]!)]));
  const isList = keys.length > 0 && keys.every((key, index) => key === String(index));
  return isList ? keys.map((key) => entries[key]!) : entries;
}
