import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { SecretSealer } from "../common/secrets/sealedSecrets";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import { deliveryWorker } from "./domain/deliveryWorker";
import { notificationsEnvironment } from "./environment";
import { notificationsEventHandlers } from "./events/handlers";
import { createNotificationsLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { createNotificationsDatabase } from "./store/database";
import { secretOpener } from "./templates/secretLinks";
import { LogTransport } from "./transports/logTransport";
import { SmtpOrLogTransport } from "./transports/smtpOrLogTransport";
import { SmtpTransport } from "./transports/smtpTransport";
import type { Transports } from "./transports/transport";

/**
 * The notifications subgraph: domain events become in-app, email, SMS and push messages, with
 * preferences, templates and retried delivery. A factory: tests may give their own SMS and push
 * transports.
 */
export function createNotificationsService(options: { transports?: Partial<Transports> } = {}) {
  return defineSubgraph({
    name: "notifications",
    environment: notificationsEnvironment,
    typeDefs: loadSubgraphTypeDefs("notifications"),
    resolvers,
    createDatabase: createNotificationsDatabase,
    eventHandlers: notificationsEventHandlers(),
    async onStart(runtime) {
      if (!runtime.env.SECRET_SEALING_KEY) {
        runtime.logger.warn(
          "opening reset and verification links with the development key; set SECRET_SEALING_KEY outside development",
        );
      }
    },
    workers(runtime) {
      const env = runtime.env;
      const logger = runtime.logger.child({ module: "transport" });
      const log = new LogTransport(logger);
      const smtp = new SmtpTransport(env.SMTP_URL, env.MAIL_FROM);
      const transports: Transports = {
        // In development, mail goes to the log when no SMTP server (Mailpit) answers.
        EMAIL:
          env.NODE_ENV === "development"
            ? new SmtpOrLogTransport(smtp, new LogTransport(logger, { withText: true }))
            : smtp,
        SMS: log,
        PUSH: log,
        ...options.transports,
      };
      const settings = {
        maxAttempts: env.NOTIFICATION_MAX_ATTEMPTS,
        retry: { baseMs: env.NOTIFICATION_RETRY_BASE_MS, maxMs: env.NOTIFICATION_RETRY_MAX_MS },
      };
      const openSecret = secretOpener(SecretSealer.fromSetting(env.SECRET_SEALING_KEY), env.STOREFRONT_URL);
      const delivery = deliveryWorker(
        { db: runtime.db, transports, logger: runtime.logger, settings, openSecret },
        env.NOTIFICATION_WORKER_INTERVAL_MS,
      );
      // The pooled SMTP connections close with the worker that sends through them.
      return [
        {
          name: delivery.name,
          start: () => delivery.start(),
          wake: () => delivery.wake(),
          isRunning: () => delivery.isRunning(),
          stop: async () => {
            await delivery.stop();
            smtp.close();
          },
        },
      ];
    },
    createContext: (runtime, base) => ({
      ...base,
      db: runtime.db,
      unitOfWork: runtime.unitOfWork,
      loaders: createNotificationsLoaders(runtime.db),
    }),
  });
}
