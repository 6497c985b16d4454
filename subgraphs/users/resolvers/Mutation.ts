import { requireCaller } from "../../common/auth/guards";
import { confirmEmailChange, requestEmailChange } from "../domain/emailChange";
import { resendVerificationEmail, verifyEmail } from "../domain/emailVerification";
import { login, logout, refreshSession, register, requestPasswordReset, resetPassword } from "../domain/identity";
import { addAddress, removeAddress, updateProfile } from "../domain/profile";
import type { MutationResolvers } from "../generated/graphql";

export const Mutation: MutationResolvers = {
  register: (_parent, { input }, { identity }) => register(identity, input),
  login: (_parent, { input }, { identity, clientAddress }) => login(identity, input, clientAddress),
  refreshSession: (_parent, { refreshToken }, { identity }) => refreshSession(identity, refreshToken),
  logout: (_parent, { refreshToken }, { identity }) => logout(identity, refreshToken),
  requestPasswordReset: (_parent, { email }, { identity, clientAddress }) =>
    requestPasswordReset(identity, email, clientAddress),
  resetPassword: (_parent, { input }, { identity }) => resetPassword(identity, input),
  updateProfile: (_parent, { input }, { caller, identity, clientAddress }) =>
    updateProfile(identity, requireCaller(caller).userId, clientAddress, input),
  requestEmailChange: (_parent, { input }, { caller, identity, clientAddress }) =>
    requestEmailChange(identity, requireCaller(caller).userId, input, clientAddress),
  confirmEmailChange: (_parent, { token }, { identity }) => confirmEmailChange(identity, token),
  verifyEmail: (_parent, { token }, { identity }) => verifyEmail(identity, token),
  resendVerificationEmail: (_parent, _args, { caller, identity, clientAddress }) =>
    resendVerificationEmail(identity, requireCaller(caller).userId, clientAddress),
  addAddress: (_parent, { input }, context) => addAddress(context, requireCaller(context.caller).userId, input),
  removeAddress: (_parent, { id }, context) => removeAddress(context, requireCaller(context.caller).userId, id),
};
