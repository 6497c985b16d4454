import type { EventDomain } from "../../common/events/catalog";
import { onEvent, type AnyEventHandler } from "../../common/events/eventConsumer";
import { serviceOfPrivacyDomain } from "../../common/privacy/privacyParts";
import { recordPrivacyAnswer, type PrivacyAnswerSettings } from "../domain/privacyRequests";
import type { UsersTx } from "../store/database";

const answeringDomains = [
  "catalog",
  "inventory",
  "orders",
  "payments",
  "notifications",
] as const satisfies readonly EventDomain[];

/**
 * Every event the users service reacts to: the other services' answers to privacy requests. The
 * service that answered is the one whose domain the event travels on (NATS lets each service
 * publish only on its own), not what the event says of itself.
 */
export function usersEventHandlers(settings: PrivacyAnswerSettings): Array<AnyEventHandler<UsersTx>> {
  return answeringDomains.flatMap((domain) => {
    const service = serviceOfPrivacyDomain(domain);
    return [
      onEvent<UsersTx, "orders.privacy.export_part">(
        `${domain}.privacy.export_part` as "orders.privacy.export_part",
        (event, tx) =>
          recordPrivacyAnswer(tx, settings, {
            requestId: event.data.requestId,
            kind: "EXPORT",
            service,
            data: event.data.data,
          }),
      ) as AnyEventHandler<UsersTx>,
      onEvent<UsersTx, "orders.privacy.erasure_done">(
        `${domain}.privacy.erasure_done` as "orders.privacy.erasure_done",
        (event, tx) =>
          recordPrivacyAnswer(tx, settings, {
            requestId: event.data.requestId,
            kind: "ERASURE",
            service,
            counts: event.data.counts,
          }),
      ) as AnyEventHandler<UsersTx>,
    ];
  });
}
