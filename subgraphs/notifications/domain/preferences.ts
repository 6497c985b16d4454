import type { UnitOfWork } from "../../common/events/unitOfWork";
import type { NotificationsTx } from "../store/database";
import { savePreferences } from "../store/notificationStore";
import type { PreferencesRecord } from "../store/records";

export type PreferenceChanges = { [K in keyof PreferencesRecord]?: boolean | null };

/** Changes only the preferences given; the others keep their value (or default). */
export function updatePreferences(
  deps: { unitOfWork: UnitOfWork<NotificationsTx> },
  userId: string,
  input: PreferenceChanges,
): Promise<PreferencesRecord> {
  const changes = Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== null && value !== undefined),
  ) as Partial<PreferencesRecord>;
  return deps.unitOfWork((tx) => savePreferences(tx, userId, changes));
}
