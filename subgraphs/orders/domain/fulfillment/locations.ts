import { BadUserInputError } from "../../../common/errors";
import type { OrdersReader } from "../../store/database";
import { findLocation } from "../../store/locationStore";

/**
 * Checks a stock location named by the back office against orders' read model of inventory's
 * locations (one local read, no call to inventory): BAD_USER_INPUT naming `field` for an id
 * inventory never announced or, when `active` is asked for, for an inactive location.
 */
export async function requireLocation(
  db: OrdersReader,
  id: string,
  field: string,
  { active }: { active: boolean },
): Promise<void> {
  const location = await findLocation(db, id);
  if (!location) throw new BadUserInputError("No stock location has this id.", field);
  if (active && !location.active)
    throw new BadUserInputError(`${location.name} is not active: nothing ships from it.`, field);
}
