import { DateTimeScalar } from "../../common/scalars";
import type { Resolvers } from "../generated/graphql";
import { Mutation } from "./Mutation";
import { Query } from "./Query";
import { ApiKey } from "./staff";
import { LinkedIdentity, PushDevice, User } from "./User";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  User,
  PushDevice,
  LinkedIdentity,
  ApiKey,
};
