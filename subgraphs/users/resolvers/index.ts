import { DateTimeScalar } from "../../common/scalars";
import type { Resolvers } from "../generated/graphql";
import { AuditEntry, backOfficeQuery } from "./BackOffice";
import { Mutation } from "./Mutation";
import { PrivacyRequest } from "./PrivacyRequest";
import { Query } from "./Query";
import { ApiKey } from "./staff";
import { LinkedIdentity, PushDevice, User } from "./User";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: { ...Query, ...backOfficeQuery },
  Mutation,
  User,
  PushDevice,
  LinkedIdentity,
  ApiKey,
  AuditEntry,
  PrivacyRequest,
};
