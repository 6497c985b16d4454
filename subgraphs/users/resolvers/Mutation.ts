import { requireCaller } from "../../common/auth/guards";
import { login, logout, refreshSession, register, requestPasswordReset, resetPassword } from "../domain/identity";
import { addAddress, removeAddress, updateProfile } from "../domain/profile";
import type { MutationResolvers } from "../generated/graphql";

export const Mutation: MutationResolvers = {
  register: (_parent, { input }, { identity }) => register(identity, input),
  login: (_parent, { input }, { identity, clientAddress }) => login(identity, input, clientAddress),
  refreshSession: (_parent, { refreshToken }, { identity }) => refreshSession(identity, refreshToken),
  logout: (_parent, { refreshToken }, { identity }) => logout(identity, refreshToken),
  requestPasswordReset: (_parent, { email }, { identity }) => requestPasswordReset(identity, email),
  resetPassword: (_parent, { input }, { identity }) => resetPassword(identity, input),
  updateProfile: (_parent, { input }, context) => updateProfile(context, requireCaller(context.caller).userId, input),
  addAddress: (_parent, { input }, context) => addAddress(context, requireCaller(context.caller).userId, input),
  removeAddress: (_parent, { id }, context) => removeAddress(context, requireCaller(context.caller).userId, id),
};
