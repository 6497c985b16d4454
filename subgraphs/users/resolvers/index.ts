import { DateTimeScalar } from "../../common/scalars";
import { isUuid } from "../../common/validation";
import type { Resolvers } from "../generated/graphql";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    user: (_parent, { id }, { loaders }) => (isUuid(id) ? loaders.userById.load(id) : null),
  },
  User: {
    __resolveReference: (reference, { loaders }) => loaders.userById.load(reference.id),
    addresses: (user, _args, { loaders }) => loaders.addressesOfUser.load(user.id),
  },
};
