import type { z } from "zod";

/** One OpenID Connect provider users may sign in with, as the operator configured it. */
export interface OidcProviderSettings {
  /** The name clients pass to `oidcSignInStart`, such as `google`. */
  name: string;
  /** The issuer identifier: its discovery document is `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The redirect URIs registered with the provider; a sign-in may only ask for one of these. */
  redirectUris: string[];
}

const namePattern = /^[a-z][a-z0-9_]{0,30}$/;

/** The variables that configure the provider `name`: OIDC_<NAME>_ISSUER and so on. */
export function providerVariables(name: string) {
  const prefix = `OIDC_${name.toUpperCase()}_`;
  return {
    issuer: `${prefix}ISSUER`,
    clientId: `${prefix}CLIENT_ID`,
    clientSecret: `${prefix}CLIENT_SECRET`,
    redirectUris: `${prefix}REDIRECT_URIS`,
  } as const;
}

function absoluteUrl(value: string, production: boolean): URL | null {
  try {
    const url = new URL(value);
    if (url.protocol === "https:") return url;
    // Outside production an issuer or redirect on this machine may be plain http (tests, a local IdP).
    return url.protocol === "http:" && !production ? url : null;
  } catch {
    return null;
  }
}

/**
 * Reads the providers named in OIDC_PROVIDERS (comma-separated) from their variables, adding an
 * issue naming the variable for each one missing or malformed. Issuers and redirect URIs must be
 * https in production.
 */
export function readOidcProviders(
  source: Record<string, unknown>,
  production: boolean,
  context: z.RefinementCtx,
): OidcProviderSettings[] {
  const list = typeof source.OIDC_PROVIDERS === "string" ? source.OIDC_PROVIDERS : "";
  const names = list
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const problem = (path: string, message: string) => context.addIssue({ code: "custom", path: [path], message });
  const providers: OidcProviderSettings[] = [];
  for (const name of new Set(names)) {
    if (!namePattern.test(name)) {
      problem("OIDC_PROVIDERS", `"${name}" is not a provider name: lower-case letters, digits and underscores`);
      continue;
    }
    const variables = providerVariables(name);
    const text = (variable: string) => {
      const value = source[variable];
      if (typeof value === "string" && value.trim()) return value.trim();
      problem(variable, `is required for the OIDC provider "${name}"`);
      return null;
    };
    const issuer = text(variables.issuer);
    const clientId = text(variables.clientId);
    const clientSecret = text(variables.clientSecret);
    const redirects = text(variables.redirectUris);
    const scheme = production ? "https" : "http(s)";
    if (issuer && !absoluteUrl(issuer, production)) problem(variables.issuer, `must be an absolute ${scheme} URL`);
    const redirectUris = (redirects ?? "")
      .split(",")
      .map((uri) => uri.trim())
      .filter(Boolean);
    for (const uri of redirectUris) {
      if (!absoluteUrl(uri, production)) problem(variables.redirectUris, `"${uri}" is not an absolute ${scheme} URL`);
    }
    if (issuer && clientId && clientSecret && redirectUris.length > 0) {
      providers.push({ name, issuer, clientId, clientSecret, redirectUris });
    }
  }
  return providers;
}
