import { requireCaller, requirePermission } from "../../common/auth/guards";
import {
  confirmPhoneNumber,
  registerPushDevice,
  removePhoneNumber,
  removePushDevice,
  requestPhoneNumberChange,
} from "../domain/contactChannels";
import { confirmEmailChange, requestEmailChange } from "../domain/emailChange";
import { resendVerificationEmail, verifyEmail } from "../domain/emailVerification";
import { login, logout, refreshSession, register, requestPasswordReset, resetPassword } from "../domain/identity";
import { completeOidcSignIn, startOidcSignIn } from "../domain/oidcSignIn";
import { addAddress, removeAddress, updateProfile } from "../domain/profile";
import { deleteMyAccount, eraseCustomer, exportMyData } from "../domain/privacyRequests";
import type { MutationResolvers } from "../generated/graphql";
import { staffMutations } from "./staff";

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
  oidcSignInStart: (_parent, { provider, redirectUri }, { oidc, clientAddress }) =>
    startOidcSignIn(oidc, { provider, redirectUri }, clientAddress),
  oidcSignInComplete: (_parent, { state, code }, { identity, oidc, clientAddress }) =>
    completeOidcSignIn(identity, oidc, { state, code }, clientAddress),
  requestPhoneNumberChange: (_parent, { phoneNumber }, { caller, contacts }) =>
    requestPhoneNumberChange(contacts, requireCaller(caller).userId, phoneNumber),
  confirmPhoneNumber: (_parent, { code }, { caller, contacts }) =>
    confirmPhoneNumber(contacts, requireCaller(caller).userId, code),
  removePhoneNumber: (_parent, _args, { caller, contacts }) =>
    removePhoneNumber(contacts, requireCaller(caller).userId),
  registerPushDevice: (_parent, { input }, { caller, contacts }) =>
    registerPushDevice(contacts, requireCaller(caller).userId, input),
  removePushDevice: (_parent, { id }, { caller, contacts }) =>
    removePushDevice(contacts, requireCaller(caller).userId, id),
  ...staffMutations,
  exportMyData: (_parent, _args, { caller, privacy }) => exportMyData(privacy, requireCaller(caller).userId),
  deleteMyAccount: (_parent, { input }, { caller, privacy, clientAddress }) =>
    deleteMyAccount(privacy, requireCaller(caller).userId, input.password, clientAddress),
  eraseCustomer: (_parent, { userId }, { caller, privacy }) =>
    eraseCustomer(privacy, requirePermission(caller, "CUSTOMERS").userId, userId),
};
