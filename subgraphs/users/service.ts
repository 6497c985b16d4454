import { ApiKeyRegistry } from "../common/auth/apiKeys";
import { loadSubgraphTypeDefs } from "../common/schemaFiles";
import { SecretSealer } from "../common/secrets/sealedSecrets";
import { PeriodicWorker } from "../common/server/periodicWorker";
import { defineSubgraph } from "../common/server/subgraphDefinition";
import { ensureAdmin } from "./admin";
import { AccessTokens } from "./auth/accessTokens";
import { developmentSigningKey, previousPublicJwkFromPem, signingKeyFromPem } from "./auth/signingKey";
import { republishApiKeys, type ApiKeyDependencies } from "./domain/apiKeys";
import type { ContactChannelDependencies } from "./domain/contactChannels";
import type { IdentityDependencies } from "./domain/identity";
import type { OidcSignInDependencies } from "./domain/oidcSignIn";
import type { StaffRoleDependencies } from "./domain/staffRoles";
import type { PrivacyAnswerSettings, PrivacyDependencies } from "./domain/privacyRequests";
import { usersEventHandlers } from "./events/handlers";
import { purgeExpiredExports } from "./store/privacyStore";
import { scryptPasswordHasher } from "./domain/passwordHashing";
import { usersEnvironment } from "./environment";
import { auditLogHandlers } from "./events/auditLogHandlers";
import { createUsersLoaders } from "./loaders";
import { resolvers } from "./resolvers";
import { AccountEmailThrottle } from "./store/accountEmailThrottle";
import { createUsersDatabase } from "./store/database";
import { LoginThrottle } from "./store/loginThrottle";
import { OidcClient } from "./oidc/oidcClient";
import { OidcSignInStore } from "./store/oidcSignInStore";
import { WindowLimiter } from "../common/windowLimiter";

/** How often expired exports' data is removed. */
const exportPurgeIntervalMs = 10 * 60 * 1000;

/** How long a started OpenID Connect sign-in waits for the provider to send the browser back. */
const oidcSignInTtlSeconds = 600;

/**
 * The users subgraph: accounts, addresses, sessions; it signs access tokens and serves their
 * public keys at /.well-known/jwks.json (the current key and, during a rotation, the previous
 * one). A factory, since each instance holds its signing key.
 */
export function createUsersService() {
  let started:
    | {
        identity: IdentityDependencies;
        contacts: ContactChannelDependencies;
        oidc: OidcSignInDependencies;
        staffRoles: StaffRoleDependencies;
        apiKeys: ApiKeyDependencies;
        privacy: PrivacyDependencies;
      }
    | undefined;
  // Event handlers are declared before the settings are read; the export's lifetime is filled in at start.
  const privacyAnswers: PrivacyAnswerSettings = { exportTtlHours: 168 };
  const ready = () => {
    if (!started) throw new Error("the users service has not started");
    return started;
  };

  return defineSubgraph({
    name: "users",
    environment: usersEnvironment,
    typeDefs: loadSubgraphTypeDefs("users"),
    resolvers,
    createDatabase: createUsersDatabase,
    eventHandlers: [...auditLogHandlers, ...usersEventHandlers(privacyAnswers)],
    async onStart(runtime) {
      const { env, logger } = runtime;
      const key = env.JWT_PRIVATE_KEY
        ? await signingKeyFromPem(env.JWT_PRIVATE_KEY)
        : await developmentSigningKey(runtime.db, logger);
      const previousKeys = env.JWT_PREVIOUS_PUBLIC_KEY
        ? [await previousPublicJwkFromPem(env.JWT_PREVIOUS_PUBLIC_KEY)]
        : [];
      const passwords = scryptPasswordHasher(env.PASSWORD_SCRYPT_LOG_N);
      const identity: IdentityDependencies = {
        unitOfWork: runtime.unitOfWork,
        passwords,
        tokens: new AccessTokens(
          key,
          { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, ttlSeconds: env.ACCESS_TOKEN_TTL_SECONDS },
          previousKeys,
        ),
        throttle: new LoginThrottle(runtime.redis, env.REDIS_KEY_PREFIX, {
          maxFailuresPerEmail: env.LOGIN_MAX_FAILURES_PER_EMAIL,
          maxFailuresPerAddress: env.LOGIN_MAX_FAILURES_PER_ADDRESS,
          windowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS,
        }),
        revocations: runtime.revocations,
        refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
        sealer: SecretSealer.fromSetting(env.SECRET_SEALING_KEY),
        accountEmails: new AccountEmailThrottle(runtime.redis, env.REDIS_KEY_PREFIX, {
          maxPerEmail: env.ACCOUNT_EMAILS_PER_EMAIL,
          maxPerAddress: env.ACCOUNT_EMAILS_PER_ADDRESS,
          windowSeconds: env.ACCOUNT_EMAILS_WINDOW_SECONDS,
        }),
      };
      const limiter = new WindowLimiter(runtime.redis, env.REDIS_KEY_PREFIX);
      const window = env.PHONE_CODE_WINDOW_SECONDS;
      started = {
        identity,
        contacts: {
          ...identity,
          limiter,
          phoneCodeLimits: {
            perUser: { name: "phone-codes:user", limit: env.PHONE_CODES_PER_USER, windowSeconds: window },
            perNumber: { name: "phone-codes:number", limit: env.PHONE_CODES_PER_NUMBER, windowSeconds: window },
          },
        },
        oidc: {
          clients: new Map(env.oidcProviders.map((provider) => [provider.name, new OidcClient(provider)])),
          signIns: new OidcSignInStore(runtime.redis, env.REDIS_KEY_PREFIX, oidcSignInTtlSeconds),
          limiter,
          limit: {
            name: "oidc-sign-ins:address",
            limit: env.OIDC_SIGN_INS_PER_ADDRESS,
            windowSeconds: env.OIDC_SIGN_IN_WINDOW_SECONDS,
          },
          logger: logger.child({ module: "oidc" }),
        },
        staffRoles: {
          unitOfWork: runtime.unitOfWork,
          revocations: runtime.revocations,
          accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
        },
        apiKeys: {
          unitOfWork: runtime.unitOfWork,
          registry: new ApiKeyRegistry(runtime.redis, env.REDIS_KEY_PREFIX),
          defaultRequestsPerMinute: env.API_KEY_REQUESTS_PER_MINUTE,
        },
        privacy: {
          unitOfWork: runtime.unitOfWork,
          passwords,
          throttle: identity.throttle,
          revocations: runtime.revocations,
          limiter,
          perUser: { limit: env.PRIVACY_REQUESTS_PER_USER, windowSeconds: env.PRIVACY_REQUEST_WINDOW_SECONDS },
          accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
        },
      };
      privacyAnswers.exportTtlHours = env.PRIVACY_EXPORT_TTL_HOURS;
      const published = await republishApiKeys(started.apiKeys, runtime.db);
      if (published > 0) logger.info({ apiKeys: published }, "published the working API keys for every service");
      if (!env.SECRET_SEALING_KEY) {
        logger.warn(
          "sealing reset and verification links with the development key; set SECRET_SEALING_KEY outside development",
        );
      }
      await ensureAdmin(
        {
          unitOfWork: runtime.unitOfWork,
          passwords,
          logger,
          revocations: runtime.revocations,
          accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
        },
        env,
      );
    },
    workers: (runtime) => [
      // An export's data is kept until it expires, and no longer.
      new PeriodicWorker("privacy-exports", async () => (await purgeExpiredExports(runtime.db), false), {
        intervalMs: exportPurgeIntervalMs,
        logger: runtime.logger,
      }),
    ],
    verificationKeys: () => ready().identity.tokens.verificationKeys(),
    routes(app) {
      app.get("/.well-known/jwks.json", (_req, res) => {
        res.set("cache-control", "public, max-age=300").json(ready().identity.tokens.jwks());
      });
    },
    createContext: (runtime, base) => ({
      ...base,
      db: runtime.db,
      unitOfWork: runtime.unitOfWork,
      loaders: createUsersLoaders(runtime.db),
      ...ready(),
    }),
  });
}
