import { requireOwnerOrAdmin } from "../../common/auth/guards";
import { newestFirstCursor, pageSize, toConnection } from "../../common/pagination";
import { DateTimeScalar } from "../../common/scalars";
import type { Resolvers } from "../generated/graphql";
import { countNotifications, countUnread, listNotifications } from "../store/notificationStore";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  User: {
    __resolveReference: (reference) => ({ id: reference.id }),
    notifications: async (user, args, { caller, db }) => {
      requireOwnerOrAdmin(caller, user.id, "another user's notifications");
      const size = pageSize(args.first);
      const query = { userId: user.id, unreadOnly: args.unreadOnly ?? false, size, after: args.after };
      const connection = toConnection(await listNotifications(db, query), size, newestFirstCursor, () => countNotifications(db, query));
      return { ...connection, unreadCount: () => countUnread(db, user.id) };
    },
  },
  Notification: {
    read: (notification) => notification.readAt !== null,
  },
};
