import { DateTimeScalar } from "../../common/scalars";
import type { Resolvers } from "../generated/graphql";
import { Mutation } from "./Mutation";
import { PrivacyRequest } from "./PrivacyRequest";
import { Query } from "./Query";
import { LinkedIdentity, PushDevice, User } from "./User";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  User,
  PushDevice,
  LinkedIdentity,
  PrivacyRequest,
};
