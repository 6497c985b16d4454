import { ConflictError, NotFoundError, BadUserInputError } from "../../../common/errors";
import { violatesUnique } from "../../../common/database/uniqueViolation";
import { isUuid, requiredText } from "../../../common/validation";
import { recordAudit } from "../../../common/audit/recordAudit";
import type { Caller } from "../../../common/auth/caller";
import type { UnitOfWork } from "../../../common/events/unitOfWork";
import type { OrdersDb, OrdersTx } from "../../store/database";
import type { CarrierRecord } from "../../store/records";

const codePattern = /^[a-z0-9][a-z0-9-]{1,29}$/;
export const trackingNumberPlaceholder = "{trackingNumber}";

function trackingUrlTemplate(value: string, field: string): string {
  const text = requiredText(value, field, { max: 500 });
  let parsed: URL | null;
  try {
    parsed = new URL(text.replace(trackingNumberPlaceholder, "x"));
  } catch {
    parsed = null;
  }
  if (!parsed || parsed.protocol !== "https:" || !text.includes(trackingNumberPlaceholder))
    throw new BadUserInputError(
      `\`${field}\` must be an https link with \`${trackingNumberPlaceholder}\` in it.`,
      field,
    );
  return text;
}

/** The link to follow a parcel: the carrier's template with the number in it (URL-encoded). */
export function trackingUrlOf(template: string, trackingNumber: string): string {
  return template.replace(trackingNumberPlaceholder, encodeURIComponent(trackingNumber));
}

/** Every configured carrier, by name (a shop has a handful; bounded all the same). */
export function listCarriers(db: OrdersDb): Promise<CarrierRecord[]> {
  return db.carrier.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }], take: 100 });
}

/** What changing the carriers needs: a transaction to change and audit in, and who does it. */
export interface CarrierDependencies {
  unitOfWork: UnitOfWork<OrdersTx>;
  caller: Caller;
}

/** What the audit log keeps of a carrier (a shop setting). */
function carrierView(carrier: CarrierRecord) {
  return {
    code: carrier.code,
    name: carrier.name,
    trackingUrlTemplate: carrier.trackingUrlTemplate,
    active: carrier.active,
  };
}

export async function createCarrier(
  deps: CarrierDependencies,
  input: { code: string; name: string; trackingUrlTemplate: string },
): Promise<CarrierRecord> {
  const code = input.code.trim().toLowerCase();
  if (!codePattern.test(code))
    throw new BadUserInputError("`code` must be 2 to 30 lower-case letters, digits or `-`.", "code");
  const data = {
    code,
    name: requiredText(input.name, "name", { max: 50 }),
    trackingUrlTemplate: trackingUrlTemplate(input.trackingUrlTemplate, "trackingUrlTemplate"),
  };
  try {
    return await deps.unitOfWork(async (tx, emit) => {
      const carrier = await tx.carrier.create({ data });
      await recordAudit(tx, emit, "orders", deps.caller, {
        entityType: "SETTING",
        entityId: `carrier/${carrier.id}`,
        action: "carrier.created",
        before: null,
        after: carrierView(carrier),
      });
      return carrier;
    });
  } catch (error) {
    if (violatesUnique(error, "code")) throw new ConflictError("A carrier already has this code.");
    throw error;
  }
}

export async function updateCarrier(
  deps: CarrierDependencies,
  input: { id: string; name?: string | null; trackingUrlTemplate?: string | null; active?: boolean | null },
): Promise<CarrierRecord> {
  if (!isUuid(input.id)) throw new NotFoundError("No carrier has this id.", "id");
  const changes = {
    ...(input.name != null ? { name: requiredText(input.name, "name", { max: 50 }) } : {}),
    ...(input.trackingUrlTemplate != null
      ? { trackingUrlTemplate: trackingUrlTemplate(input.trackingUrlTemplate, "trackingUrlTemplate") }
      : {}),
    ...(input.active != null ? { active: input.active } : {}),
  };
  return deps.unitOfWork(async (tx, emit) => {
    const [existing] = await tx.$queryRaw<CarrierRecord[]>`
      SELECT id, code, name, tracking_url_template AS "trackingUrlTemplate", active,
             created_at AS "createdAt", updated_at AS "updatedAt"
        FROM carriers WHERE id = ${input.id}::uuid FOR UPDATE`;
    if (!existing) throw new NotFoundError("No carrier has this id.", "id");
    const updated = await tx.carrier.update({ where: { id: existing.id }, data: changes });
    await recordAudit(tx, emit, "orders", deps.caller, {
      entityType: "SETTING",
      entityId: `carrier/${updated.id}`,
      action: "carrier.updated",
      before: carrierView(existing),
      after: carrierView(updated),
    });
    return updated;
  });
}
