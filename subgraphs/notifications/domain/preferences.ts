import { BadUserInputError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import type { NotificationsTx } from "../store/database";
import { savePreferences } from "../store/notificationStore";
import type { ChannelPreferences, KindChoice, PreferencesRecord } from "../store/records";
import { configurableKinds, type NotificationKind } from "../templates/kinds";

export type PreferenceChanges = { [K in keyof ChannelPreferences]?: boolean | null } & {
  kinds?: ReadonlyArray<{
    kind: NotificationKind;
    email?: boolean | null;
    sms?: boolean | null;
    push?: boolean | null;
  }> | null;
};

/** The choices per kind a change asks for; each kind once, and never an account-security kind. */
function kindChoices(kinds: PreferenceChanges["kinds"]): KindChoice[] {
  const seen = new Set<string>();
  return (kinds ?? []).flatMap((change, index) => {
    const field = `kinds.${index}.kind`;
    if (!(configurableKinds as readonly string[]).includes(change.kind)) {
      throw new BadUserInputError(
        `${change.kind} messages keep an account safe: they always go by email and cannot be turned off.`,
        field,
      );
    }
    if (seen.has(change.kind)) throw new BadUserInputError(`${change.kind} is given more than once.`, field);
    seen.add(change.kind);
    return (["email", "sms", "push"] as const).flatMap((channel) => {
      const enabled = change[channel];
      if (enabled === null || enabled === undefined) return [];
      return [{ kind: change.kind, channel: channel.toUpperCase() as KindChoice["channel"], enabled }];
    });
  });
}

/** Changes only the preferences given; the others keep their value (or default). */
export function updatePreferences(
  deps: { unitOfWork: UnitOfWork<NotificationsTx> },
  userId: string,
  input: PreferenceChanges,
): Promise<PreferencesRecord> {
  const { kinds, ...switches } = input;
  const choices = kindChoices(kinds);
  const changes = Object.fromEntries(
    Object.entries(switches).filter(([, value]) => value !== null && value !== undefined),
  ) as Partial<ChannelPreferences>;
  return deps.unitOfWork((tx) => savePreferences(tx, userId, changes, choices));
}

/** A user's choices for every kind they may choose about: each channel on unless turned off. */
export function kindPreferences(preferences: PreferencesRecord) {
  const enabled = (kind: string, channel: KindChoice["channel"]) =>
    preferences.kinds.find((choice) => choice.kind === kind && choice.channel === channel)?.enabled ?? true;
  return configurableKinds.map((kind) => ({
    kind,
    email: enabled(kind, "EMAIL"),
    sms: enabled(kind, "SMS"),
    push: enabled(kind, "PUSH"),
  }));
}
