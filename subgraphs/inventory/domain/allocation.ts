/** A location that could serve a line: its reservation priority and what is available there. */
export interface LocationCandidate {
  locationId: string;
  priority: number;
  available: number;
}

/**
 * Where the units of one line come from: locations by priority (lower first), then the one with
 * the most available, then by id (so the same stock always gives the same answer), each giving
 * what it can until the line is served. A line may be split across locations. Null when all of
 * them together hold too little.
 */
export function allocate(
  quantity: number,
  candidates: readonly LocationCandidate[],
): Array<{ locationId: string; quantity: number }> | null {
  const ordered = candidates
    .filter((candidate) => candidate.available > 0)
    .sort((a, b) => a.priority - b.priority || b.available - a.available || a.locationId.localeCompare(b.locationId));
  const plan: Array<{ locationId: string; quantity: number }> = [];
  let missing = quantity;
  for (const candidate of ordered) {
    if (missing === 0) break;
    const taken = Math.min(missing, candidate.available);
    plan.push({ locationId: candidate.locationId, quantity: taken });
    missing -= taken;
  }
  return missing === 0 ? plan : null;
}
