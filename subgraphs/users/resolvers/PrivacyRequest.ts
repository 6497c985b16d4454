import type { PrivacyRequestResolvers } from "../generated/graphql";
import { exportDocumentOf, reportOf } from "../domain/privacyView";

export const PrivacyRequest: PrivacyRequestResolvers = {
  requestedAt: (request) => request.createdAt,
  report: (request) => reportOf(request),
  exportExpiresAt: (request) => (request.kind === "EXPORT" ? request.expiresAt : null),
  exportDocument: (request, _args, { caller }) => exportDocumentOf(request, caller?.userId),
};
