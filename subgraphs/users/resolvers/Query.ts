import { requireCaller, requirePermission } from "../../common/auth/guards";
import { NotFoundError, UnauthenticatedError } from "../../common/errors";
import { isUuid } from "../../common/validation";
import type { QueryResolvers } from "../generated/graphql";
import { staffQueries } from "./staff";

export const Query: QueryResolvers = {
  async me(_parent, _args, { caller, loaders }) {
    const user = await loaders.userById.load(requireCaller(caller).userId);
    if (!user) throw new UnauthenticatedError("Your account no longer exists.");
    return user;
  },
  async user(_parent, { id }, { caller, loaders }) {
    requirePermission(caller, "CUSTOMERS");
    const user = isUuid(id) ? await loaders.userById.load(id) : null;
    if (!user) throw new NotFoundError("No user has this id.");
    return user;
  },
  oidcProviders: (_parent, _args, { oidc }) => [...oidc.clients.keys()].map((name) => ({ name })),
  ...staffQueries,
};
