import type { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { defaultPorts } from "../common/serviceNames";

/** The notifications service's settings. */
export const notificationsEnvironment = subgraphEnvironment.extend({
  PORT: env.port(defaultPorts.notifications),
});

export type NotificationsEnvironment = z.infer<typeof notificationsEnvironment>;
