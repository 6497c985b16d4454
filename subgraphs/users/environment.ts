import type { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { defaultPorts } from "../common/serviceNames";

/** The users service's settings. */
export const usersEnvironment = subgraphEnvironment.extend({
  PORT: env.port(defaultPorts.users),
});

export type UsersEnvironment = z.infer<typeof usersEnvironment>;
