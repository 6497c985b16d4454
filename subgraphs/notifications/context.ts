import type { UnitOfWork } from "../common/events/unitOfWork";
import type { BaseContext } from "../common/server/subgraphDefinition";
import type { NotificationsLoaders } from "./loaders";
import type { NotificationsDb, NotificationsTx } from "./store/database";

export interface Context extends BaseContext {
  db: NotificationsDb;
  unitOfWork: UnitOfWork<NotificationsTx>;
  loaders: NotificationsLoaders;
}
