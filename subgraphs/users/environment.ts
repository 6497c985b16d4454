import { z } from "zod";
import { env, subgraphEnvironment } from "../common/environment";
import { requireSealingKeyInProduction, sealingKeySetting } from "../common/secrets/sealedSecrets";
import { defaultPorts } from "../common/serviceNames";
import { readOidcProviders } from "./oidc/providerSettings";

export const developmentAdmin = { email: "admin@example.com", password: "admin-password-for-development" };

/** The users service's settings: identity, tokens, the first admin, brute-force limits. */
const usersSettings = subgraphEnvironment.extend({
  PORT: env.port(defaultPorts.users),
  /** Ed25519 private key (PKCS#8 PEM) that signs access tokens. Required in production. */
  JWT_PRIVATE_KEY: z.string().optional(),
  /**
   * The public key (SPKI PEM, or the old private key's PEM) of the key that signed before
   * JWT_PRIVATE_KEY: served in the JWKS beside the current one, so tokens it signed keep
   * verifying until they expire. Drop it once ACCESS_TOKEN_TTL_SECONDS have passed.
   */
  JWT_PREVIOUS_PUBLIC_KEY: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** The admin ensured at start; the defaults are for development only and are printed when used. */
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(10).optional(),
  /** scrypt cost as log2(N): 16 means N = 65536 (64 MiB with r = 8), about 150 ms a hash here. */
  PASSWORD_SCRYPT_LOG_N: z.coerce.number().int().min(14).max(20).default(16),
  LOGIN_MAX_FAILURES_PER_EMAIL: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  /** Seals reset and verification links for the notifications service (the same key there). */
  SECRET_SEALING_KEY: sealingKeySetting,
  /** Account emails with a link (password reset, verification, email change) per email and per client address, per window. */
  ACCOUNT_EMAILS_PER_EMAIL: z.coerce.number().int().min(1).default(3),
  ACCOUNT_EMAILS_PER_ADDRESS: z.coerce.number().int().min(1).default(5),
  ACCOUNT_EMAILS_WINDOW_SECONDS: z.coerce.number().int().min(1).default(3600),
  /**
   * OpenID Connect providers users may sign in with, by name (comma-separated, such as
   * `google,microsoft`); each is configured by OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET and
   * _REDIRECT_URIS (read in `readOidcProviders`). Unset: no provider.
   */
  OIDC_PROVIDERS: z.string().optional(),
  /** OpenID Connect sign-ins (starts and completions, each) per client address and window. */
  OIDC_SIGN_INS_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  OIDC_SIGN_IN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(600),
  /** Confirmation codes texted per user and per phone number within the window. */
  PHONE_CODES_PER_USER: z.coerce.number().int().min(1).default(5),
  PHONE_CODES_PER_NUMBER: z.coerce.number().int().min(1).default(3),
  PHONE_CODE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(3600),
  /** Requests a minute a new API key may make when its creator does not choose (the router counts them per key). */
  API_KEY_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(600),
  /** Privacy requests (exports, erasures) per user and kind within the window, besides one open at a time. */
  PRIVACY_REQUESTS_PER_USER: z.coerce.number().int().min(1).default(3),
  PRIVACY_REQUEST_WINDOW_SECONDS: z.coerce.number().int().min(1).default(86_400),
  /** How long a completed export's document can be downloaded; its data is removed then. */
  PRIVACY_EXPORT_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(168),
});

export const usersEnvironment = usersSettings
  // The providers' own variables (OIDC_<NAME>_...) are named by OIDC_PROVIDERS, so the schema
  // cannot list them: it lets unknown variables through to read them, and keeps only its own.
  .loose()
  .superRefine((settings, context) => {
    requireSealingKeyInProduction(settings, context);
    readOidcProviders(settings, settings.NODE_ENV === "production", context);
    if (settings.NODE_ENV !== "production") return;
    if (!settings.JWT_PRIVATE_KEY) {
      context.addIssue({
        code: "custom",
        path: ["JWT_PRIVATE_KEY"],
        message: "is required in production: an Ed25519 private key in PKCS#8 PEM",
      });
    }
    if (!settings.ADMIN_EMAIL || !settings.ADMIN_PASSWORD) {
      context.addIssue({
        code: "custom",
        path: ["ADMIN_PASSWORD"],
        message: "ADMIN_EMAIL and ADMIN_PASSWORD are required in production",
      });
    }
  })
  .transform((settings, context) => {
    const known = Object.fromEntries(
      Object.keys(usersSettings.shape).map((key) => [key, (settings as Record<string, unknown>)[key]]),
    ) as z.infer<typeof usersSettings>;
    return { ...known, oidcProviders: readOidcProviders(settings, settings.NODE_ENV === "production", context) };
  });

export type UsersEnvironment = z.infer<typeof usersEnvironment>;
