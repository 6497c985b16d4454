import type { AvailableShippingMethod, Destination, ShippingMethod, ShippingZone } from "./pricingTypes";

/**
 * The zone that ships to a destination: a zone naming the destination's region wins over one
 * naming only its country; among equals, the first (the caller hands zones in a stable order).
 * Regions compare case-insensitively; countries are upper-case ISO codes.
 */
export function zoneFor(zones: readonly ShippingZone[], destination: Destination): ShippingZone | null {
  const region = destination.region?.trim().toLowerCase() ?? null;
  let countryMatch: ShippingZone | null = null;
  for (const zone of zones) {
    for (const area of zone.areas) {
      if (area.country !== destination.country) continue;
      if (area.region === null) countryMatch ??= zone;
      else if (region !== null && area.region.trim().toLowerCase() === region) return zone;
    }
  }
  return countryMatch;
}

/** A method's price for a cart of this weight and (discounted) subtotal; null when the method does not apply. */
export function methodPrice(method: ShippingMethod, weightGrams: number, subtotalMinor: bigint): bigint | null {
  if (method.freeAboveMinor !== null && subtotalMinor >= method.freeAboveMinor) return 0n;
  const rate = method.rate;
  switch (rate.kind) {
    case "FLAT":
      return rate.amountMinor;
    case "WEIGHT": {
      const band = [...rate.bands]
        .sort((a, b) => (a.upToGrams ?? Infinity) - (b.upToGrams ?? Infinity))
        .find((each) => each.upToGrams === null || weightGrams <= each.upToGrams);
      return band?.amountMinor ?? null;
    }
    case "ORDER_VALUE": {
      let chosen: { fromMinor: bigint; amountMinor: bigint } | null = null;
      for (const band of rate.bands)
        if (subtotalMinor >= band.fromMinor && (!chosen || band.fromMinor > chosen.fromMinor)) chosen = band;
      return chosen?.amountMinor ?? null;
    }
  }
}

/** Every method of the destination's zone that applies to this cart, cheapest first (then by name). */
export function availableMethods(
  zone: ShippingZone,
  weightGrams: number,
  subtotalMinor: bigint,
): AvailableShippingMethod[] {
  const priced: AvailableShippingMethod[] = [];
  for (const method of zone.methods) {
    const amountMinor = methodPrice(method, weightGrams, subtotalMinor);
    if (amountMinor !== null) priced.push({ id: method.id, name: method.name, zoneName: zone.name, amountMinor });
  }
  return priced.sort((a, b) =>
    a.amountMinor === b.amountMinor ? a.name.localeCompare(b.name) : a.amountMinor < b.amountMinor ? -1 : 1,
  );
}
