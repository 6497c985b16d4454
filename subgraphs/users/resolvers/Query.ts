import { requireCaller, requirePermission } from "../../common/auth/guards";
import { hasPermission } from "../../common/auth/permissions";
import { NotFoundError, UnauthenticatedError } from "../../common/errors";
import { isUuid } from "../../common/validation";
import type { QueryResolvers } from "../generated/graphql";
import { findPrivacyRequest, findPrivacyRequestsOfUser } from "../store/privacyStore";
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
  myPrivacyRequests: (_parent, _args, { caller, db }) =>
    findPrivacyRequestsOfUser(db, requireCaller(caller).userId, 20),
  async privacyRequest(_parent, { id }, { caller, db }) {
    const signedIn = requireCaller(caller);
    const request = isUuid(id) ? await findPrivacyRequest(db, id) : null;
    // Someone else's request is not there for this caller, rather than forbidden: ids tell nothing.
    if (!request || (request.userId !== signedIn.userId && !hasPermission(signedIn, "CUSTOMERS")))
      throw new NotFoundError("No privacy request has this id.");
    return request;
  },
};
