import { requireCaller, requireOwnerOrPermission } from "../../common/auth/guards";
import { NotFoundError } from "../../common/errors";
import { decodeCursor, encodeCursor, newestFirstCursor, pageSize, toConnection } from "../../common/pagination";
import { DateTimeScalar } from "../../common/scalars";
import { isUuid } from "../../common/validation";
import { z } from "zod";
import { kindPreferences, updatePreferences } from "../domain/preferences";
import {
  listTemplates,
  previewTemplate,
  requireTemplateEditor,
  resetTemplate,
  templateOf,
  updateTemplate,
} from "../domain/templates";
import type { Resolvers } from "../generated/graphql";
import { countNotifications, countUnread, listNotifications, markRead } from "../store/notificationStore";
import { countTemplateVersions, templateVersions } from "../store/templateStore";
import { describeVariables } from "../templates/engine/check";
import { variablesOf } from "../templates/kinds";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    notificationTemplates: (_parent, { kind, channel }, { caller, db }) => {
      requireTemplateEditor(caller);
      return listTemplates(db, { kind, channel });
    },
    notificationTemplate: (_parent, { kind, channel }, { caller, db }) => {
      requireTemplateEditor(caller);
      return templateOf(db, kind, channel);
    },
    notificationTemplatePreview: (_parent, { kind, channel, draft }, { caller, db }) => {
      requireTemplateEditor(caller);
      return previewTemplate(db, kind, channel, draft);
    },
  },
  Mutation: {
    async markNotificationRead(_parent, { id }, { caller, unitOfWork }) {
      const userId = requireCaller(caller).userId;
      const notification = isUuid(id) ? await unitOfWork((tx) => markRead(tx, userId, id)) : null;
      if (!notification) throw new NotFoundError("You have no notification with this id.");
      return notification;
    },
    updateNotificationPreferences: (_parent, { input }, context) =>
      updatePreferences(context, requireCaller(context.caller).userId, input),
    updateNotificationTemplate: (_parent, { input }, context) =>
      updateTemplate(context, requireTemplateEditor(context.caller).userId, input),
    resetNotificationTemplate: (_parent, { kind, channel, expectedVersion }, context) =>
      resetTemplate(context, requireTemplateEditor(context.caller).userId, { kind, channel, expectedVersion }),
  },
  User: {
    __resolveReference: (reference) => ({ id: reference.id }),
    notifications: async (user, args, { caller, db }) => {
      requireOwnerOrPermission(caller, user.id, "CUSTOMERS", "another user's notifications");
      const size = pageSize(args.first);
      const query = {
        userId: user.id,
        unreadOnly: args.unreadOnly ?? false,
        channel: args.channel ?? null,
        size,
        after: args.after,
      };
      const connection = toConnection(await listNotifications(db, query), size, newestFirstCursor, () =>
        countNotifications(db, query),
      );
      return { ...connection, unreadCount: () => countUnread(db, user.id) };
    },
    notificationPreferences: (user, _args, { caller, loaders }) => {
      requireOwnerOrPermission(caller, user.id, "CUSTOMERS", "another user's preferences");
      return loaders.preferencesOf.load(user.id);
    },
  },
  Notification: {
    read: (notification) => notification.readAt !== null,
  },
  NotificationPreferences: {
    kinds: (preferences) => kindPreferences(preferences),
  },
  NotificationTemplate: {
    updatedBy: (template) => (template.updatedBy ? { id: template.updatedBy } : null),
    variables: (template) => describeVariables(variablesOf(template.kind, template.channel)),
    versions: async (template, args, { db }) => {
      const size = pageSize(args.first);
      const before = args.after ? decodeCursor(args.after, z.number().int().min(1)) : undefined;
      const rows = await templateVersions(db, template.kind, template.channel, size, before);
      return toConnection(
        rows,
        size,
        (row) => encodeCursor(row.version),
        () => countTemplateVersions(db, template.kind, template.channel),
      );
    },
  },
  NotificationTemplateVersion: {
    changedBy: (version) => ({ id: version.changedBy }),
  },
};
