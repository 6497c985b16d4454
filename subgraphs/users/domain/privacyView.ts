import type { PrivacyRequestRecord } from "../store/privacyStore";
import { answeringServices } from "./privacyRequests";

export interface PrivacyServiceReport {
  service: string;
  status: "PENDING" | "DONE";
  completedAt: Date | null;
  counts: Array<{ name: string; count: number }>;
}

/** Where each service stands on the request: answered when, with what counts; or still pending. */
export function reportOf(request: PrivacyRequestRecord): PrivacyServiceReport[] {
  return answeringServices.map((service) => {
    const part = request.parts.find((each) => each.service === service);
    if (!part) return { service, status: "PENDING", completedAt: null, counts: [] };
    const counts = Object.entries((part.counts ?? {}) as Record<string, number>).map(([name, count]) => ({
      name,
      count,
    }));
    return { service, status: "DONE", completedAt: part.completedAt, counts };
  });
}

/**
 * The export as one JSON document, each service's part under its name; null until every service
 * has answered, after it expired, and for anyone but the person it is about (an operator sees the
 * report, never the data).
 */
export function exportDocumentOf(
  request: PrivacyRequestRecord,
  callerId: string | undefined,
  now = new Date(),
): string | null {
  if (request.kind !== "EXPORT" || request.status !== "COMPLETED" || callerId !== request.userId) return null;
  if (!request.expiresAt || request.expiresAt <= now) return null;
  if (request.parts.some((part) => part.data === null)) return null;
  return JSON.stringify({
    requestId: request.id,
    userId: request.userId,
    requestedAt: request.createdAt.toISOString(),
    completedAt: request.completedAt?.toISOString() ?? null,
    services: Object.fromEntries(
      answeringServices.map((service) => [
        service,
        request.parts.find((part) => part.service === service)?.data ?? null,
      ]),
    ),
  });
}
