import type {
  Notification,
  NotificationChannel,
  NotificationPreference,
  NotificationTemplateVersion,
} from "../generated/prisma/client";
import type { Connection } from "../../common/pagination";
import type { TemplateSources } from "../templates/defaults";
import type { NotificationKind } from "../templates/kinds";

export type NotificationRecord = Notification;

/** A user's switch per channel and topic (a user without a row has the defaults). */
export type ChannelPreferences = Omit<NotificationPreference, "userId" | "updatedAt">;

/** A user's choice for one kind of message on one channel. */
export interface KindChoice {
  kind: string;
  channel: NotificationChannel;
  enabled: boolean;
}

export type PreferencesRecord = ChannelPreferences & { kinds: KindChoice[] };

/** A page of a user's notifications; `unreadCount` is computed only when selected. */
export interface NotificationPage extends Connection<NotificationRecord> {
  unreadCount: () => Promise<number>;
}

/** A user as other subgraphs reference them: only the id. */
export interface UserReference {
  id: string;
}

/** The template in use for a kind and channel: the back office's, or the code's default. */
export interface TemplateView extends TemplateSources {
  kind: NotificationKind;
  channel: NotificationChannel;
  customized: boolean;
  version: number;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export type TemplateVersionRecord = NotificationTemplateVersion;
