import type { Caller } from "../../common/auth/caller";
import { recordAudit } from "../../common/audit/recordAudit";
import { ConflictError, NotFoundError } from "../../common/errors";
import type { Emit, UnitOfWork } from "../../common/events/unitOfWork";
import { violatesUnique } from "../../common/database/uniqueViolation";
import { countryCode } from "../../common/postalAddress";
import { boundedInt, isUuid, optionalText, requiredText } from "../../common/validation";
import type { InventoryTx } from "../store/database";
import {
  changeLocation,
  countLocations,
  findLocationsByIds,
  insertLocation,
  type LocationFields,
} from "../store/locationStore";
import type { LocationAddress, StockLocationRecord } from "../store/records";
import { lockUntilCommit } from "../../common/database/advisoryLock";

export const maxLocations = 100;
export const defaultPriority = 100;

interface AddressInput {
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode: string;
  country: string;
}

/** A stock location as a client sends it (StockLocationCreateInput, or the changes of StockLocationUpdateInput). */
export interface LocationInput {
  name?: string | null;
  address?: AddressInput | null;
  active?: boolean | null;
  priority?: number | null;
}

function validateAddress(address: AddressInput): LocationAddress {
  return {
    line1: requiredText(address.line1, "address.line1", { max: 200 }),
    line2: optionalText(address.line2, "address.line2", 200),
    city: requiredText(address.city, "address.city", { max: 100 }),
    region: optionalText(address.region, "address.region", 100),
    postalCode: requiredText(address.postalCode, "address.postalCode", { max: 20 }),
    country: countryCode(address.country, "address.country"),
  };
}

function validateChanges(input: LocationInput): Partial<LocationFields> {
  const fields: Partial<LocationFields> = {};
  if (input.name !== undefined && input.name !== null) fields.name = requiredText(input.name, "name", { max: 100 });
  if (input.address !== undefined) fields.address = input.address ? validateAddress(input.address) : null;
  if (input.active !== undefined && input.active !== null) fields.active = input.active;
  if (input.priority !== undefined && input.priority !== null)
    fields.priority = boundedInt(input.priority, "priority", { min: 0, max: 1000 });
  return fields;
}

/** What a location change needs: the transaction, and who asks (for the audit log). */
export interface LocationDependencies {
  unitOfWork: UnitOfWork<InventoryTx>;
  caller?: Caller | null;
}

/** `inventory.location.changed`: what other services keep of a location, at its version. */
function announce(emit: Emit, location: StockLocationRecord): void {
  emit("inventory.location.changed", {
    locationId: location.id,
    name: location.name,
    active: location.active,
    updatedAt: location.updatedAt.toISOString(),
  });
}

/** What the audit log keeps of a stock location. */
function locationAuditView(location: StockLocationRecord) {
  return { name: location.name, address: location.address, active: location.active, priority: location.priority };
}

function conflictOnName(error: unknown): never {
  if (violatesUnique(error, "name")) throw new ConflictError("Another stock location has this name.", "name");
  throw error;
}

/** Adds a stock location (up to 100). */
export async function createLocation(
  deps: LocationDependencies,
  input: LocationInput & { name: string },
): Promise<StockLocationRecord> {
  const fields = validateChanges(input);
  try {
    return await deps.unitOfWork(async (tx, emit) => {
      await lockUntilCommit(tx, "inventory:locations");
      if ((await countLocations(tx)) >= maxLocations)
        throw new ConflictError(`There are already ${maxLocations} stock locations.`);
      const created = await insertLocation(tx, {
        name: fields.name!,
        address: fields.address ?? null,
        active: fields.active ?? true,
        priority: fields.priority ?? defaultPriority,
      });
      await recordAudit(tx, emit, "inventory", deps.caller, {
        entityType: "STOCK_LOCATION",
        entityId: created.id,
        action: "stock_location.created",
        before: null,
        after: locationAuditView(created),
      });
      announce(emit, created);
      return created;
    });
  } catch (error) {
    if (error instanceof ConflictError) throw error;
    return conflictOnName(error);
  }
}

/** Changes a stock location; an inactive one keeps its stock and reservations but serves no new order. */
export async function updateLocation(
  deps: LocationDependencies,
  id: string,
  input: LocationInput,
): Promise<StockLocationRecord> {
  const fields = validateChanges(input);
  try {
    const updated = await deps.unitOfWork(async (tx, emit) => {
      const [location] = isUuid(id) ? await findLocationsByIds(tx, [id]) : [];
      if (!location) return null;
      const changed = await changeLocation(tx, id, fields);
      await recordAudit(tx, emit, "inventory", deps.caller, {
        entityType: "STOCK_LOCATION",
        entityId: location.id,
        action: "stock_location.updated",
        before: locationAuditView(location),
        after: locationAuditView(changed),
      });
      announce(emit, changed);
      return changed;
    });
    if (!updated) throw new NotFoundError("No stock location has this id.");
    return updated;
  } catch (error) {
    if (error instanceof NotFoundError) throw error;
    return conflictOnName(error);
  }
}
