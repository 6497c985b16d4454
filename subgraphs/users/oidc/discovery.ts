import { z } from "zod";
import { IdentityProviderUnavailableError } from "./errors";

/** What the users service needs of a provider's discovery document (OpenID Connect Discovery 1.0). */
const discoverySchema = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  userinfo_endpoint: z.url().optional(),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
});

export type DiscoveryDocument = z.infer<typeof discoverySchema>;

/** How long the provider's answers may take before the sign-in gives up on it. */
export const providerTimeoutMs = 10_000;

/**
 * Fetches and checks an issuer's discovery document. The document must name the issuer it was
 * fetched for, exactly: otherwise its endpoints and keys are nobody's to trust for that issuer.
 */
export async function discover(issuer: string): Promise<DiscoveryDocument> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  let body: unknown;
  try {
    const response = await fetch(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(providerTimeoutMs),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new IdentityProviderUnavailableError(
      `its discovery document could not be read (${(error as Error).message})`,
    );
  }
  const parsed = discoverySchema.safeParse(body);
  if (!parsed.success) throw new IdentityProviderUnavailableError("its discovery document is not valid");
  if (parsed.data.issuer !== issuer) {
    throw new IdentityProviderUnavailableError(`its discovery document names another issuer (${parsed.data.issuer})`);
  }
  if (parsed.data.code_challenge_methods_supported && !parsed.data.code_challenge_methods_supported.includes("S256")) {
    throw new IdentityProviderUnavailableError("it does not support PKCE with S256");
  }
  return parsed.data;
}
