import { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { requireSealingKeyInProduction, sealingKeySetting } from "../common/secrets/sealedSecrets";
import { defaultPorts } from "../common/serviceNames";

/** The notifications service's settings. */
export const notificationsEnvironment = subgraphEnvironment
  .extend({
    PORT: env.port(defaultPorts.notifications),
    /**
     * Where email goes out: an SMTP server (`smtp://user:pass@host:587`, `smtps://...`). docker compose
     * runs Mailpit on 1025; in development, when no server answers, email goes to the log.
     */
    SMTP_URL: env.url("smtp://127.0.0.1:1025"),
    MAIL_FROM: z.string().min(3).default("Commerce <no-reply@commerce.example>"),
    /** The storefront, for links in messages (reset, verification and email-change pages). */
    STOREFRONT_URL: env.url("http://localhost:3000"),
    /** Tries of one message before it is FAILED, and the backoff between them (doubling, capped). */
    NOTIFICATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
    NOTIFICATION_RETRY_BASE_MS: z.coerce.number().int().min(10).default(2000),
    NOTIFICATION_RETRY_MAX_MS: z.coerce.number().int().min(10).default(300_000),
    /**
     * The delivery worker's fallback poll: a commit that makes messages due wakes it, and so does a
     * retry it scheduled; the poll only finds a lease that ran out or another replica's retry.
     */
    NOTIFICATION_WORKER_INTERVAL_MS: z.coerce.number().int().min(10).default(5000),
    /** Opens the reset and verification links the users service sealed (the same key there). */
    SECRET_SEALING_KEY: sealingKeySetting,
  })
  .superRefine(requireSealingKeyInProduction);

export type NotificationsEnvironment = z.infer<typeof notificationsEnvironment>;
