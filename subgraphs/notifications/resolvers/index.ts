import { requireCaller, requireOwnerOrAdmin } from "../../common/auth/guards";
import { NotFoundError } from "../../common/errors";
import { newestFirstCursor, pageSize, toConnection } from "../../common/pagination";
import { DateTimeScalar } from "../../common/scalars";
import { isUuid } from "../../common/validation";
import { updatePreferences } from "../domain/preferences";
import type { Resolvers } from "../generated/graphql";
import { countNotifications, countUnread, listNotifications, markRead } from "../store/notificationStore";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Mutation: {
    async markNotificationRead(_parent, { id }, { caller, unitOfWork }) {
      const userId = requireCaller(caller).userId;
      const notification = isUuid(id) ? await unitOfWork((tx) => markRead(tx, userId, id)) : null;
      if (!notification) throw new NotFoundError("You have no notification with this id.");
      return notification;
    },
    updateNotificationPreferences: (_parent, { input }, context) =>
      updatePreferences(context, requireCaller(context.caller).userId, input),
  },
  User: {
    __resolveReference: (reference) => ({ id: reference.id }),
    notifications: async (user, args, { caller, db }) => {
      requireOwnerOrAdmin(caller, user.id, "another user's notifications");
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
      requireOwnerOrAdmin(caller, user.id, "another user's preferences");
      return loaders.preferencesOf.load(user.id);
    },
  },
  Notification: {
    read: (notification) => notification.readAt !== null,
  },
};
