import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { SecretSealer } from "../common/secrets/sealedSecrets";
import { PeriodicWorker } from "../common/server/periodicWorker";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import { deliverDueNotifications } from "./domain/delivery";
import { notificationsEnvironment } from "./environment";
import { notificationsEventHandlers } from "./events/handlers";
import { createNotificationsLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { createNotificationsDatabase } from "./store/database";
import { linkOpener } from "./templates/secretLinks";
import { LogTransport } from "./transports/logTransport";
import { SmtpTransport } from "./transports/smtpTransport";
import type { Transports } from "./transports/transport";

/**
 * The notifications subgraph: domain events become in-app, email, SMS and push messages, with
 * preferences, templates and retried delivery. A factory: each instance holds its worker, and
 * tests may give their own SMS and push transports.
 */
export function createNotificationsService(options: { transports?: Partial<Transports> } = {}) {
  let worker: PeriodicWorker | undefined;
  let smtp: SmtpTransport | undefined;
  const wakeWorker = () => worker?.wake();

  return defineSubgraph({
    name: "notifications",
    environment: notificationsEnvironment,
    typeDefs: loadSubgraphTypeDefs("notifications"),
    resolvers,
    createDatabase: createNotificationsDatabase,
    eventHandlers: notificationsEventHandlers(wakeWorker),
    async onStart(runtime) {
      if (!runtime.env.SECRET_SEALING_KEY) {
        runtime.logger.warn(
          "opening reset and verification links with the development key; set SECRET_SEALING_KEY outside development",
        );
      }
    },
    workers(runtime) {
      const env = runtime.env;
      smtp = new SmtpTransport(env.SMTP_URL, env.MAIL_FROM);
      const log = new LogTransport(runtime.logger.child({ module: "transport" }));
      const transports: Transports = { EMAIL: smtp, SMS: log, PUSH: log, ...options.transports };
      worker = new PeriodicWorker(
        "notification-delivery",
        () =>
          deliverDueNotifications({
            db: runtime.db,
            transports,
            logger: runtime.logger,
            openLink: linkOpener(SecretSealer.fromSetting(env.SECRET_SEALING_KEY), env.STOREFRONT_URL),
            settings: {
              maxAttempts: env.NOTIFICATION_MAX_ATTEMPTS,
              retryBaseMs: env.NOTIFICATION_RETRY_BASE_MS,
              retryMaxMs: env.NOTIFICATION_RETRY_MAX_MS,
            },
          }),
        { intervalMs: env.NOTIFICATION_WORKER_INTERVAL_MS, logger: runtime.logger },
      );
      return [worker];
    },
    createContext: (runtime, base) => ({
      ...base,
      db: runtime.db,
      unitOfWork: runtime.unitOfWork,
      loaders: createNotificationsLoaders(runtime.db),
    }),
  });
}
