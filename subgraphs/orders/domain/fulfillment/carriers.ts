import { ConflictError, NotFoundError, BadUserInputError } from "../../../common/errors";
import { violatesUnique } from "../../../common/database/uniqueViolation";
import { isUuid, requiredText } from "../../../common/validation";
import type { OrdersDb } from "../../store/database";
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

export async function createCarrier(
  db: OrdersDb,
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
    return await db.carrier.create({ data });
  } catch (error) {
    if (violatesUnique(error, "code")) throw new ConflictError("A carrier already has this code.");
    throw error;
  }
}

export async function updateCarrier(
  db: OrdersDb,
  input: { id: string; name?: string | null; trackingUrlTemplate?: string | null; active?: boolean | null },
): Promise<CarrierRecord> {
  const existing = isUuid(input.id) ? await db.carrier.findUnique({ where: { id: input.id } }) : null;
  if (!existing) throw new NotFoundError("No carrier has this id.", "id");
  return db.carrier.update({
    where: { id: existing.id },
    data: {
      ...(input.name != null ? { name: requiredText(input.name, "name", { max: 50 }) } : {}),
      ...(input.trackingUrlTemplate != null
        ? { trackingUrlTemplate: trackingUrlTemplate(input.trackingUrlTemplate, "trackingUrlTemplate") }
        : {}),
      ...(input.active != null ? { active: input.active } : {}),
    },
  });
}
